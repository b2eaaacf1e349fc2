// What `imageswitch status` shows and what a pass leaves in /run/imageswitch/status.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config.h"
#include "observe.h"
#include "result.h"

namespace imageswitch {

/// How the last pass ended, as status.json recorded it.
struct LastPass {
  std::string step;             ///< the plan step it stopped at
  int exit_code = 0;            ///< its exit code
  std::string message;          ///< its one-line outcome
  std::int64_t updated_at = 0;  ///< unix seconds when it ended
};

/// The facts of the last pass (or of a fresh look), in plain words.
struct StatusSnapshot {
  std::string phase;       ///< persisted phase name
  std::string booted;      ///< booted pinned reference
  std::string staged;      ///< staged pinned reference, empty when none
  std::string desired;     ///< desired reference, empty when none
  std::string target;      ///< pinned reference being deployed, if any
  std::string last_error;  ///< empty when healthy
  std::string next;        ///< what happens next / how the pass ended
  std::string step;        ///< the plan step name
  int exit_code = 0;       ///< exit code of the pass
  std::int64_t updated_at = 0;
  std::optional<LastPass> last_pass;  ///< `status` only: the outcome of the last `run`
};

/// The cluster-facing state word for `snapshot`: "Done", "Working" or "Degraded".
std::string state_word(const StatusSnapshot& snapshot);

/// Serialises `snapshot` as JSON (the status.json format; "last_pass" only when set).
std::string status_json(const StatusSnapshot& snapshot);

/// Human-readable multi-line text for `imageswitch status`.
std::string status_text(const StatusSnapshot& snapshot);

/// What `status` shows: the fresh `look`, the step the plan would take next, and `last` (the
/// last pass's status.json) as its outcome.
StatusSnapshot status_now(const NodeLook& look, const Step& next,
                          const std::optional<StatusSnapshot>& last);

/// Reads runtime_dir/status.json; nullopt when absent or unreadable (no pass ran yet).
std::optional<StatusSnapshot> read_status(const Settings& settings);

/// Writes runtime_dir/status.json atomically.
Result<void> write_status(const Settings& settings, const StatusSnapshot& snapshot);

}  // namespace imageswitch
