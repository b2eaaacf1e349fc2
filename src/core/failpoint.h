// Crash points for the node simulation: compiled only into test builds (-Dfailpoints=true).
// IMAGESWITCH_FAILPOINT=<name> in the environment makes the process SIGKILL itself at <name>.
#pragma once

namespace imageswitch {

/// Kills the process with SIGKILL when the environment names `name` as the crash point.
void failpoint_hit(const char* name);

/// `fallback`, or IMAGESWITCH_HTTP_TIMEOUT_MS from the environment in test builds (the node
/// simulation shortens network timeouts so a stalled server costs seconds, not minutes).
long test_timeout_ms(long fallback);

}  // namespace imageswitch

#ifdef IMAGESWITCH_FAILPOINTS
#define IMAGESWITCH_FAILPOINT(name) ::imageswitch::failpoint_hit(name)
#else
#define IMAGESWITCH_FAILPOINT(name) \
  do {                              \
  } while (0)
#endif
