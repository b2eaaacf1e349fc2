// libFuzzer target: kubeconfig YAML.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imageswitch::parse_kubeconfig(text, "fuzz-kubeconfig", "/nonexistent");
  return 0;
}
