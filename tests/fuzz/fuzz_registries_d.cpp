// libFuzzer target: containers-registries.d YAML.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registries_d.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  imageswitch::RegistriesD out;
  (void)imageswitch::parse_registries_d_file(text, "fuzz.yaml", out);
  return 0;
}
