// What `imageswitch status` shows and what a pass leaves in /run/imageswitch/status.json.
#pragma once

#include <cstdint>
#include <string>

#include "config.h"
#include "result.h"

namespace imageswitch {

/// The facts of the last pass (or of a fresh look), in plain words.
struct StatusSnapshot {
  std::string phase;         ///< persisted phase name
  std::string booted;        ///< booted pinned reference
  std::string staged;        ///< staged pinned reference, empty when none
  std::string staged_kargs;  ///< kernel arguments its image's kargs.d adds/removes ("+a -b")
  std::string desired;       ///< desired reference, empty when none
  std::string target;        ///< pinned reference being deployed, if any
  std::string last_error;    ///< empty when healthy
  std::string next;          ///< what happens next / how the pass ended
  std::string step;          ///< the plan step name
  int exit_code = 0;         ///< exit code of the pass
  std::int64_t updated_at = 0;
};

/// The cluster-facing state word for `snapshot`: "Done", "Working" or "Degraded".
std::string state_word(const StatusSnapshot& snapshot);

/// Serialises `snapshot` as JSON (the status.json format).
std::string status_json(const StatusSnapshot& snapshot);

/// Human-readable multi-line text for `imageswitch status`.
std::string status_text(const StatusSnapshot& snapshot);

/// Writes runtime_dir/status.json atomically; failures are journaled, not fatal.
void write_status(const Settings& settings, const StatusSnapshot& snapshot);

}  // namespace imageswitch
