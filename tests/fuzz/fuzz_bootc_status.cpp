// libFuzzer target: bootc status --json output.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bootc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imageswitch::parse_bootc_status(text);
  return 0;
}
