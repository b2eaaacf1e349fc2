// The reconcile pass's working state and steps (internal to core: reconcile.cpp runs the pass and
// owns observe/persist/report; reconcile_steps.cpp holds one method per plan step).
#pragma once

#include <optional>
#include <string>

#include "journal.h"
#include "plan.h"
#include "reconcile.h"
#include "state.h"
#include "status.h"

namespace imageswitch::detail {

/// Bound on steps in one pass; a plan that does not converge within it is a bug, not a loop.
constexpr int kMaxStepsPerPass = 24;

/// One reconcile pass with its working state.
class Pass {
 public:
  Pass(const Settings& cfg, Services& svc) : cfg_(cfg), svc_(svc) {}

  PassOutcome run();

 private:
  using Stop = std::optional<PassOutcome>;
  Result<void> observe();

  /// The one place the phase changes: checked against the table in phase.cpp. With `reset` the
  /// rest of the state starts afresh (the caller fills in what the new phase needs).
  Result<void> move_to(Phase to, bool reset = false);
  Result<void> refresh_host();

  /// Does step_: the action of its StepKind (below, one each); a value ends the pass.
  Stop act();
  /// Noop: converged, nothing to do.
  Stop idle();
  /// Resolves the desired reference to the per-platform digest (persisted before staging).
  Stop resolve();
  /// Verifies the resolved digest under policy.json; a rejection is Degraded, host untouched.
  Stop verify();
  /// Stages exactly the verified digest through the backend.
  Stop stage();
  /// Takes a slot of the cluster-wide gate, or waits (exit 10).
  Stop gate();
  /// Cordons (recording whether we did) and evicts.
  Stop drain();
  /// Persists "rebooting", then finalizes and reboots through logind.
  Stop reboot();
  /// Gives back what we hold in the cluster: our cordon, our gate slot.
  Result<void> release_cluster();
  /// Booted == target: releases the cluster side and reports Done.
  Stop confirm();
  /// Drops our staged deployment and releases the cluster side (the desired image changed).
  Stop abandon();
  /// After a reboot the booted digest is not the target: Degraded, never retried.
  Stop rolled_back();
  /// Stays Degraded (rolled back earlier, or the reboot never happened): one entry per pass.
  Stop degraded();
  /// Progressing with nothing to do now (e.g. reboot disabled): reports Working.
  Stop wait();

  /// Once per pass past staging (kargs_step.h): the staged deployment's kernel arguments follow
  /// its image's kargs.d; a bad kargs.d leaves the host on the booted image, Degraded.
  Stop kernel_args();

  /// Records `reason` as the last error, reports Degraded, exits 1 (the caller journaled it).
  Stop stop_degraded(const std::string& reason);

  /// A failed step: journal it (unless the step did), remember it, report when it needs a person.
  PassOutcome fail(const Error& e, bool logged = false);
  PassOutcome finish(PassOutcome outcome);

  StatusSnapshot status_snapshot(const PassOutcome& outcome) const;
  Result<void> persist();

  Result<void> report(const std::string& state, const std::string& reason);

  /// Best-effort report: a failure is journaled here (once) and retried by a later pass.
  void announce(const std::string& state, const std::string& reason);

  void entry(MessageKind kind, Priority priority, std::string message, const std::string& digest,
             std::string reason = {}) {
    JournalEntry e;
    e.kind = kind;
    e.priority = priority;
    e.message = std::move(message);
    e.phase = std::string(phase_name(state_.phase));
    e.image = obs_.desired;
    e.digest = digest;
    e.reason = std::move(reason);
    journal_send(e);
  }

  const Settings& cfg_;
  Services& svc_;
  State state_;
  Observation obs_;
  ResolvedImage resolved_;
  Step step_;
  bool staged_now_ = false;    ///< this pass staged (or adopted) the target
  bool kargs_done_ = false;    ///< the kernel-arguments step ran in this pass
  std::string kargs_summary_;  ///< its change ("+a -b"), shown in status
};

}  // namespace imageswitch::detail
