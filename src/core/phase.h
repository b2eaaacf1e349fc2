// The phases of an update (state.json's "phase", the imageswitch.io/phase annotation) and the one
// table of allowed phase changes. The reconcile shell changes the phase only through
// check_transition(); a change the table does not list is a bug in the shell, not a runtime event.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "result.h"

namespace imageswitch {

/// Where an update stands; each value is written *before* the step it names is taken.
enum class Phase {
  Idle,       ///< nothing in progress
  Staging,    ///< about to stage target_digest (or staging was interrupted)
  Staged,     ///< target staged for the next boot
  Gated,      ///< holding a slot of the cluster-wide gate
  Draining,   ///< cordoned (recorded) and evicting
  Rebooting,  ///< reboot requested into target_digest from boot reboot_boot_id
  Done,       ///< booted digest == target; node uncordoned
  Degraded,   ///< rolled back to something else: never retried for this desired image
};

/// Every phase, in the order above (for exhaustive loops).
inline constexpr Phase kAllPhases[] = {Phase::Idle,  Phase::Staging,  Phase::Staged,
                                       Phase::Gated, Phase::Draining, Phase::Rebooting,
                                       Phase::Done,  Phase::Degraded};

/// Lower-case name of `phase` as stored and shown ("staging", …).
std::string_view phase_name(Phase phase);

/// Parses a stored phase name.
std::optional<Phase> parse_phase(std::string_view name);

/// True while an update is under way: staging, staged, gated, draining or rebooting.
bool update_in_progress(Phase phase);

/// One allowed phase change and the step of the plan that makes it.
struct PhaseTransition {
  Phase from;
  Phase to;
  std::string_view by;  ///< the plan step (and situation) that makes this change
};

/// The table of allowed phase changes; any pair not listed is a bug.
std::span<const PhaseTransition> phase_transitions();

/// True when `from` → `to` is listed in phase_transitions().
bool transition_allowed(Phase from, Phase to);

/// "internal error: phase X → Y not allowed".
std::string transition_error_text(Phase from, Phase to);

/// Ok when `from` → `to` is allowed. Otherwise a Degraded error (transition_error_text); in test
/// builds (IMAGESWITCH_FAILPOINTS) it prints that text to stderr and aborts instead.
Result<void> check_transition(Phase from, Phase to);

}  // namespace imageswitch
