// libFuzzer target: cosign simple-signing payloads.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imageswitch::parse_signature_payload(text);
  return 0;
}
