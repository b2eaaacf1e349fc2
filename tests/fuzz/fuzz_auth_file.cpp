// libFuzzer target: docker/podman auth files.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imageswitch::parse_auth_file(text, "fuzz-auth.json");
  return 0;
}
