#include "phase.h"

#include <array>
#include <cstdio>
#include <cstdlib>

namespace imageswitch {

namespace {

constexpr std::array<std::pair<Phase, std::string_view>, 8> kPhaseNames = {{
    {Phase::Idle, "idle"},
    {Phase::Staging, "staging"},
    {Phase::Staged, "staged"},
    {Phase::Gated, "gated"},
    {Phase::Draining, "draining"},
    {Phase::Rebooting, "rebooting"},
    {Phase::Done, "done"},
    {Phase::Degraded, "degraded"},
}};

using enum Phase;

// The one table. Three targets are reachable from every phase because the plan may choose their
// step whatever happened before: staging a new target (Stage with a new desired image or digest),
// confirming what is booted (Confirm) and abandoning (Abandon). Everything else moves forward
// along stage → gate → drain → reboot, or resumes a step interrupted by a crash.
constexpr PhaseTransition kTransitions[] = {
    // Stage: a new target, whatever was going on (also a second new target while staging).
    {Idle, Staging, "stage: a new desired image"},
    {Staging, Staging, "stage: the desired image changed again while staging"},
    {Staged, Staging, "stage: the desired image changed after staging"},
    {Gated, Staging, "stage: the desired image changed while holding the gate"},
    {Draining, Staging, "stage: the desired image changed while draining"},
    {Rebooting, Staging, "stage: the desired image changed before the reboot happened"},
    {Done, Staging, "stage: a new desired image after an update"},
    {Degraded, Staging, "stage: a new digest for a desired image that rolled back"},
    // Stage: the deployment is staged (first time, or again after it vanished).
    {Staging, Staged, "stage: staging finished"},
    {Staged, Staged, "stage: the staged deployment vanished and was staged again"},
    {Gated, Staged, "stage: the staged deployment vanished and was staged again"},
    {Draining, Staged, "stage: the staged deployment vanished and was staged again"},
    {Rebooting, Staged, "stage: the staged deployment vanished before the reboot"},
    // Gate: a slot of the cluster-wide gate.
    {Staging, Gated, "gate: resumed after a crash between staging and recording it"},
    {Staged, Gated, "gate: slot taken"},
    {Draining, Gated, "gate: coordination was switched on during the drain"},
    // Drain: cordon + evictions.
    {Staging, Draining, "drain: resumed after a crash between staging and recording it"},
    {Staged, Draining, "drain: started without a gate"},
    {Gated, Draining, "drain: started after taking the gate"},
    {Draining, Draining, "drain: resumed after a crash or a temporary failure"},
    // Reboot: recorded before finalize + reboot.
    {Staging, Rebooting, "reboot: resumed after a crash between staging and recording it"},
    {Staged, Rebooting, "reboot: no gate and no drain"},
    {Gated, Rebooting, "reboot: gate held, no drain"},
    {Draining, Rebooting, "reboot: drain finished"},
    {Rebooting, Rebooting, "reboot: the requested reboot did not happen; requesting again"},
    // Confirm: the booted image is the target.
    {Idle, Done, "confirm: the desired image is already booted"},
    {Staging, Done, "confirm: the target was booted meanwhile"},
    {Staged, Done, "confirm: the target was booted meanwhile"},
    {Gated, Done, "confirm: the target was booted meanwhile"},
    {Draining, Done, "confirm: the target was booted meanwhile"},
    {Rebooting, Done, "confirm: booted into the target after the reboot"},
    {Done, Done, "confirm: another desired reference names the booted image"},
    {Degraded, Done, "confirm: the new desired image is the booted one"},
    // Abandon: the desired image was removed or is the booted one again.
    {Idle, Idle, "abandon: give back a cordon or gate slot recorded without an update"},
    {Staging, Idle, "abandon: the update was dropped"},
    {Staged, Idle, "abandon: the update was dropped"},
    {Gated, Idle, "abandon: the update was dropped"},
    {Draining, Idle, "abandon: the update was dropped"},
    {Rebooting, Idle, "abandon: the update was dropped"},
    {Done, Idle, "abandon: give back what a Done state still holds"},
    {Degraded, Idle, "abandon: the desired image was removed after a rollback"},
    // RolledBack: after the reboot the booted digest is not the target (and, from the same
    // row, rpm-ostreed refused to finalize the staged deployment: reconcile.cpp reboot()).
    {Rebooting, Degraded, "rolled-back: booted another image than the target"},
    // Stage: the image's kargs.d is invalid; the staged deployment was removed (kargs_step.h).
    {Staging, Degraded, "stage: the image's kernel arguments (kargs.d) are invalid"},
    {Staged, Degraded, "stage: the image's kernel arguments (kargs.d) are invalid"},
    {Gated, Degraded, "stage: the image's kernel arguments (kargs.d) are invalid"},
    {Draining, Degraded, "stage: the image's kernel arguments (kargs.d) are invalid"},
};

}  // namespace

std::string_view phase_name(Phase phase) {
  for (const auto& [p, name] : kPhaseNames)
    if (p == phase) return name;
  return "idle";
}

bool update_in_progress(Phase phase) {
  switch (phase) {
    case Phase::Staging:
    case Phase::Staged:
    case Phase::Gated:
    case Phase::Draining:
    case Phase::Rebooting:
      return true;
    case Phase::Idle:
    case Phase::Done:
    case Phase::Degraded:
      return false;
  }
  return false;
}

std::optional<Phase> parse_phase(std::string_view name) {
  for (const auto& [p, n] : kPhaseNames)
    if (n == name) return p;
  return std::nullopt;
}

std::span<const PhaseTransition> phase_transitions() {
  return kTransitions;
}

bool transition_allowed(Phase from, Phase to) {
  for (const PhaseTransition& t : kTransitions)
    if (t.from == from && t.to == to) return true;
  return false;
}

std::string transition_error_text(Phase from, Phase to) {
  return "internal error: phase " + std::string(phase_name(from)) + " → " +
         std::string(phase_name(to)) + " not allowed";
}

Result<void> check_transition(Phase from, Phase to) {
  if (transition_allowed(from, to)) return {};
#ifdef IMAGESWITCH_FAILPOINTS
  std::fprintf(stderr, "imageswitch: %s\n", transition_error_text(from, to).c_str());
  std::abort();
#else
  return make_error(ErrorKind::Degraded, transition_error_text(from, to));
#endif
}

}  // namespace imageswitch
