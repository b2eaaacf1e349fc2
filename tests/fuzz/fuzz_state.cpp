// libFuzzer target: the persisted state file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imageswitch::parse_state(text);
  return 0;
}
