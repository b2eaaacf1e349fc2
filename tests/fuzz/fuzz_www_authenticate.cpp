// libFuzzer target: WWW-Authenticate challenges.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imageswitch::parse_www_authenticate(text);
  return 0;
}
