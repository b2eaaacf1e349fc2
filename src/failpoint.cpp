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

}  // namespace imageswitch
