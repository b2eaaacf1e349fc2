#include "failpoint.h"

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace imageswitch {

void failpoint_hit(const char* name) {
#ifdef IMAGESWITCH_FAILPOINTS
  const char* wanted = std::getenv("IMAGESWITCH_FAILPOINT");
  if (wanted != nullptr && std::strcmp(wanted, name) == 0) std::raise(SIGKILL);
#else
  (void)name;
#endif
}

long test_timeout_ms(long fallback) {
#ifdef IMAGESWITCH_FAILPOINTS
  const char* text = std::getenv("IMAGESWITCH_HTTP_TIMEOUT_MS");
  if (text != nullptr) {
    char* end = nullptr;
    long v = std::strtol(text, &end, 10);
    if (end != text && *end == '\0' && v > 0) return v;
  }
#endif
  return fallback;
}

}  // namespace imageswitch
