// The decision: a pure function from what was observed and what was persisted to the next step.
// No I/O here; the shell (reconcile.cpp) carries the step out, persists, observes and asks again.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config.h"
#include "host_backend.h"
#include "state.h"

namespace imageswitch {

/// The next thing to do.
enum class StepKind {
  Noop,        ///< converged: nothing to do
  Resolve,     ///< resolve the desired reference to the per-platform digest
  Verify,      ///< verify the resolved digest under containers-policy.json
  Stage,       ///< stage target_digest (replacing any other staged deployment)
  Gate,        ///< take a slot of the cluster-wide concurrency gate
  Drain,       ///< cordon (record whether we did) and evict
  Reboot,      ///< persist "rebooting", then finalize + reboot through logind
  Confirm,     ///< booted == target: uncordon if we cordoned, release the gate, report Done
  Abandon,     ///< drop our staged deployment, uncordon if we cordoned, release the gate
  RolledBack,  ///< after a reboot the booted digest is not the target: Degraded, never again
  Degraded,    ///< stay degraded: report and wait for a new desired image
  Wait,        ///< progressing but nothing to do now (e.g. reboot disabled)
};

/// Lower-case name of `kind` ("resolve", …).
std::string_view step_name(StepKind kind);

/// A step and why it was chosen.
struct Step {
  StepKind kind = StepKind::Noop;
  std::string reason;         ///< plain words, shown in status and the journal
  std::string target_digest;  ///< the digest the step acts on, when it has one
};

/// Everything observed in this pass (desired, host) plus what this pass already learned.
struct Observation {
  std::string desired;                         ///< desired reference; empty = none
  std::string desired_config;                  ///< MCO desiredConfig read with it ("" = none)
  HostStatus host;                             ///< booted and staged deployments
  std::string boot_id;                         ///< /proc/sys/kernel/random/boot_id
  bool has_cluster = false;                    ///< Kubernetes credentials present (drain possible)
  std::optional<std::string> resolved_digest;  ///< per-platform digest resolved in this pass
  bool verified = false;                       ///< resolved_digest passed the policy in this pass
  bool drained = false;                        ///< the drain completed in this pass
};

/// Reboot requests from one boot before the plan gives up and reports Degraded.
inline constexpr int kMaxRebootAttempts = 3;

/// The digest pinned in `reference` ("…@sha256:<hex>" → "sha256:<hex>"), or "".
std::string pinned_digest(std::string_view reference);

/// Decides the next step. Pure: same inputs, same step.
Step decide(const Observation& observed, const State& state, const Settings& settings);

}  // namespace imageswitch
