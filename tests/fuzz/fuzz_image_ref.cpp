// libFuzzer target: image references (parse, print, parse again).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "image_ref.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto r = imageswitch::parse_image_ref(text)) (void)imageswitch::parse_image_ref(r->string());
  (void)imageswitch::parse_repository(text);
  return 0;
}
