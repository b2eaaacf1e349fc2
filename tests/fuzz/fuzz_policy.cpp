// libFuzzer target: containers-policy.json.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imageswitch::parse_policy(text, "fuzz.json");
  return 0;
}
