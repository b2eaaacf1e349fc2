// The persisted state (/var/lib/imageswitch/state.json): what an earlier pass started, so every
// step resumes after a crash or power loss. Written atomically; a corrupt file counts as "none".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "phase.h"
#include "result.h"

namespace imageswitch {

/// Everything persisted between passes.
struct State {
  Phase phase = Phase::Idle;
  std::string desired;           ///< desired reference this work is for
  std::string target_digest;     ///< verified per-platform digest being deployed
  std::string target_image;      ///< pinned reference "repo@sha256:…"
  std::string desired_config;    ///< MCO desiredConfig read with `desired` (currentConfig at Done)
  bool cordon_recorded = false;  ///< we_cordoned is meaningful
  bool we_cordoned = false;      ///< the node was schedulable before we cordoned it
  bool gate_held = false;        ///< we hold a gate slot
  std::string reboot_boot_id;    ///< boot id at the moment the reboot was requested
  int reboot_attempts = 0;       ///< reboot requests for target_digest from the same boot
  std::string failed_digest;     ///< digest that rolled back for `desired`: never again
  std::string last_error;        ///< one line, empty when healthy
  std::int64_t changed_at = 0;   ///< unix seconds of the last phase change
};

/// Largest state.json read; the writer bounds every string (kMaxStoredText) so it stays far below.
inline constexpr std::size_t kMaxStateFile = 64 * 1024;

/// Serialises `state` as JSON text (strings made valid, one-line and at most 1 KiB; never throws).
std::string serialize_state(const State& state);

/// Parses JSON text into a State; any malformation is an error (callers treat it as no state).
Result<State> parse_state(std::string_view text);

/// A loaded state and, when the file was unusable, why it was ignored.
struct LoadedState {
  State state;
  std::string warning;  ///< non-empty when a corrupt file was ignored
};

/// Loads `dir`/state.json; a missing file is no state, a corrupt one is no state plus a warning;
/// either way a rollback remembered in `dir`/failed-digest comes back as a Degraded state.
LoadedState load_state(const std::string& dir);

/// Replaces `dir`/state.json atomically (temporary file, fsync, rename, fsync of the directory),
/// after `dir`/failed-digest (written when failed_digest is set, removed when not).
Result<void> save_state(const std::string& dir, const State& state);

}  // namespace imageswitch
