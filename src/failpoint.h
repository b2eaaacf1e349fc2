// Crash points for the node simulation: compiled only into test builds (-Dfailpoints=true).
// IMAGESWITCH_FAILPOINT=<name> in the environment makes the process SIGKILL itself at <name>.
#pragma once

namespace imageswitch {

/// Kills the process with SIGKILL when the environment names `name` as the crash point.
void failpoint_hit(const char* name);

}  // namespace imageswitch

#ifdef IMAGESWITCH_FAILPOINTS
#define IMAGESWITCH_FAILPOINT(name) ::imageswitch::failpoint_hit(name)
#else
#define IMAGESWITCH_FAILPOINT(name) \
  do {                              \
  } while (0)
#endif
