// libFuzzer target: containers-registries.conf (TOML).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registries_conf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imageswitch::parse_registries_conf(text, "fuzz.conf");
  return 0;
}
