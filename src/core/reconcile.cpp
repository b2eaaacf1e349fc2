#include "reconcile.h"

#include "failpoint.h"
#include "journal.h"
#include "state.h"
#include "status.h"

namespace imageswitch {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Temporary:
      return 75;
    case ErrorKind::Degraded:
      return 1;
    case ErrorKind::Usage:
      return 2;
  }
  return 75;
}

namespace {

/// Bound on steps in one pass; a plan that does not converge within it is a bug, not a loop.
constexpr int kMaxStepsPerPass = 24;

/// One reconcile pass with its working state.
class Pass {
 public:
  Pass(const Settings& cfg, Services& svc) : cfg_(cfg), svc_(svc) {}

  PassOutcome run() {
    if (auto r = observe(); !r) return fail(r.error());
    for (int i = 0; i < kMaxStepsPerPass; ++i) {
      step_ = decide(obs_, state_, cfg_);
      std::optional<PassOutcome> done = act();
      if (done) return finish(*done);
    }
    return fail(make_error(ErrorKind::Degraded, "the plan did not converge within " +
                                                    std::to_string(kMaxStepsPerPass) + " steps"));
  }

 private:
  using Stop = std::optional<PassOutcome>;

  Result<void> observe() {
    NodeLook look = imageswitch::observe(cfg_, svc_);
    if (!look.saved.warning.empty())
      journal_message(MessageKind::Info, Priority::Warning, look.saved.warning);
    state_ = std::move(look.saved.state);
    if (auto e = observe_error(look)) return *e;
    obs_ = observation_of(look);
    return {};
  }

  /// The one place the phase changes: checked against the table in phase.cpp. With `reset` the
  /// rest of the state starts afresh (the caller fills in what the new phase needs).
  Result<void> move_to(Phase to, bool reset = false) {
    TRY(check_transition(state_.phase, to));
    if (reset) state_ = State{};
    state_.phase = to;
    return {};
  }

  Result<void> refresh_host() {
    auto host = svc_.host.status();
    if (!host) return wrap("Failed to read the deployments", host.error());
    obs_.host = std::move(host.value());
    return {};
  }

  Stop act() {
    switch (step_.kind) {
      case StepKind::Noop:
        return PassOutcome{0, step_, step_.reason};
      case StepKind::Resolve:
        return resolve();
      case StepKind::Verify:
        return verify();
      case StepKind::Stage:
        return stage();
      case StepKind::Gate:
        return gate();
      case StepKind::Drain:
        return drain();
      case StepKind::Reboot:
        return reboot();
      case StepKind::Confirm:
        return confirm();
      case StepKind::Abandon:
        return abandon();
      case StepKind::RolledBack:
        return rolled_back();
      case StepKind::Degraded:
        return degraded();
      case StepKind::Wait:
        announce("Working", "");
        return PassOutcome{0, step_, step_.reason};
    }
    return PassOutcome{0, step_, step_.reason};
  }

  Stop resolve() {
    auto r = svc_.trust.resolve(obs_.desired);
    if (!r) return fail(r.error());
    resolved_ = std::move(r.value());
    obs_.resolved_digest = resolved_.digest;
    IMAGESWITCH_FAILPOINT("after-resolve");
    return std::nullopt;
  }

  Stop verify() {
    auto v = svc_.trust.verify(resolved_);
    if (!v) {
      // Network trouble is retried; a broken policy.json is a configuration error (exit 2).
      if (v.error().kind != ErrorKind::Degraded) return fail(v.error());
      entry(MessageKind::VerifyRejected, Priority::Error,
            "Rejected " + resolved_.pinned() + ": " + v.error().message, resolved_.digest,
            v.error().message);
      return stop_degraded(v.error().message);
    }
    obs_.verified = true;
    IMAGESWITCH_FAILPOINT("after-verify");
    entry(MessageKind::ImageVerified, Priority::Info,
          "Verified " + resolved_.pinned() + " (" + *v + ")", resolved_.digest);
    return std::nullopt;
  }

  Stop stage() {
    const std::string& target = step_.target_digest;
    if (state_.target_digest != target || state_.desired != obs_.desired ||
        state_.phase == Phase::Idle || state_.phase == Phase::Done ||
        state_.phase == Phase::Degraded) {
      if (auto r = move_to(Phase::Staging); !r) return fail(r.error());
      state_.desired = obs_.desired;
      state_.target_digest = target;
      state_.target_image = resolved_.digest == target ? resolved_.pinned() : state_.target_image;
      state_.reboot_attempts = 0;
      state_.reboot_boot_id.clear();
      state_.failed_digest.clear();
      state_.last_error.clear();
      if (auto r = persist(); !r) return fail(r.error());
      entry(MessageKind::UpdateStarted, Priority::Notice, "Updating to " + state_.target_image,
            target);
      announce("Working", "");
      IMAGESWITCH_FAILPOINT("after-update-started");
    }
    const bool already = obs_.host.staged && obs_.host.staged->digest == target;
    IMAGESWITCH_FAILPOINT("before-stage");
    if (!already) {
      if (auto r = svc_.host.stage(state_.target_image); !r) {
        entry(MessageKind::StageFailed, Priority::Error,
              wrap_unless("Failed to stage", "Failed to stage '" + state_.target_image + "'",
                          r.error())
                  .message,
              target, r.error().message);
        return fail(r.error(), /*logged=*/true);
      }
    }
    IMAGESWITCH_FAILPOINT("after-stage");
    if (auto r = refresh_host(); !r) return fail(r.error());
    if (!obs_.host.staged || obs_.host.staged->digest != target)
      return fail(make_error(ErrorKind::Temporary,
                             "the backend reported success but " + target + " is not staged"));
    if (auto r = move_to(Phase::Staged); !r) return fail(r.error());
    if (auto r = persist(); !r) return fail(r.error());
    IMAGESWITCH_FAILPOINT("after-staged");
    entry(MessageKind::Staged, Priority::Notice,
          "Staged " + state_.target_image + " for the next boot", target);
    return std::nullopt;
  }

  Stop gate() {
    if (svc_.gate == nullptr) {
      state_.gate_held = true;  // no gate configured: nothing to hold, nothing to release
      return std::nullopt;
    }
    auto taken = svc_.gate->acquire();
    if (!taken) return fail(taken.error());
    if (!*taken) {
      announce("Working", "");
      return PassOutcome{0, step_, "waiting for a " + cfg_.coordination.kind + " slot"};
    }
    state_.gate_held = true;
    if (auto r = move_to(Phase::Gated); !r) return fail(r.error());
    if (auto r = persist(); !r) return fail(r.error());
    IMAGESWITCH_FAILPOINT("after-gate");
    return std::nullopt;
  }

  Stop drain() {
    if (!state_.cordon_recorded) {
      auto was = svc_.cluster->cordoned();
      if (!was) return fail(was.error());
      state_.we_cordoned = !*was;
      state_.cordon_recorded = true;
    }
    if (auto r = move_to(Phase::Draining); !r) return fail(r.error());
    if (auto r = persist(); !r) return fail(r.error());
    entry(MessageKind::DrainStarted, Priority::Notice, "Draining the node", step_.target_digest);
    IMAGESWITCH_FAILPOINT("before-drain");
    auto d = svc_.cluster->drain();
    if (!d) {
      entry(MessageKind::DrainBlocked, Priority::Error,
            wrap_unless("Failed to drain", "Failed to drain the node", d.error()).message,
            step_.target_digest, d.error().message);
      return fail(d.error(), /*logged=*/true);
    }
    IMAGESWITCH_FAILPOINT("after-drain");
    obs_.drained = true;
    return std::nullopt;
  }

  Stop reboot() {
    if (auto r = move_to(Phase::Rebooting); !r) return fail(r.error());
    state_.reboot_boot_id = obs_.boot_id;
    state_.reboot_attempts += 1;
    if (auto r = persist(); !r) return fail(r.error());
    announce("Working", "");
    entry(MessageKind::Rebooting, Priority::Notice, "Rebooting into " + state_.target_image,
          step_.target_digest);
    IMAGESWITCH_FAILPOINT("before-reboot");
    if (auto r = svc_.host.reboot(*obs_.host.staged); !r) return fail(r.error());
    IMAGESWITCH_FAILPOINT("after-reboot");
    return PassOutcome{0, step_, "reboot requested into " + state_.target_image};
  }

  /// Gives back what we hold in the cluster: our cordon, our gate slot.
  Result<void> release_cluster() {
    // Without a record (state.json lost) uncordon() still undoes a cordon the Node marks as ours.
    const bool ours = !state_.cordon_recorded || state_.we_cordoned;
    if (ours && svc_.cluster != nullptr) {
      TRY(svc_.cluster->uncordon());
      state_.we_cordoned = false;
    }
    state_.cordon_recorded = false;
    if (state_.gate_held && svc_.gate != nullptr) TRY(svc_.gate->release());
    state_.gate_held = false;
    return {};
  }

  Stop confirm() {
    const bool first = state_.phase != Phase::Done || state_.desired != obs_.desired;
    IMAGESWITCH_FAILPOINT("before-confirm");
    if (auto r = release_cluster(); !r) return fail(r.error());
    IMAGESWITCH_FAILPOINT("after-release");
    if (auto r = report("Done", ""); !r) return fail(r.error());
    IMAGESWITCH_FAILPOINT("after-report-done");
    if (auto r = move_to(Phase::Done, /*reset=*/true); !r) return fail(r.error());
    state_.desired = obs_.desired;
    state_.target_digest = step_.target_digest;
    state_.target_image = describe(obs_.host.booted);
    if (auto r = persist(); !r) return fail(r.error());
    IMAGESWITCH_FAILPOINT("after-confirm");
    if (first)
      entry(MessageKind::UpdateDone, Priority::Notice,
            "Running the desired image " + state_.target_image, step_.target_digest);
    return std::nullopt;
  }

  Stop abandon() {
    journal_message(MessageKind::Info, Priority::Notice, "Abandoning the update: " + step_.reason);
    if (obs_.host.staged && obs_.host.staged->digest == state_.target_digest) {
      if (auto r = svc_.host.cleanup_staged(); !r) return fail(r.error());
      IMAGESWITCH_FAILPOINT("after-abandon-cleanup");
      if (auto r = refresh_host(); !r) return fail(r.error());
    }
    if (auto r = release_cluster(); !r) return fail(r.error());
    if (auto r = move_to(Phase::Idle, /*reset=*/true); !r) return fail(r.error());
    state_.desired = obs_.desired;
    if (auto r = persist(); !r) return fail(r.error());
    return std::nullopt;
  }

  Stop rolled_back() {
    // Give back the cordon and gate first: if that fails, the pass ends on that one failure and
    // the next pass finds the same rollback again.
    if (auto r = release_cluster(); !r) return fail(r.error());
    entry(MessageKind::RolledBack, Priority::Error,
          "Update " + state_.target_image + " " + step_.reason, step_.target_digest, step_.reason);
    if (auto r = move_to(Phase::Degraded); !r) return fail(r.error());
    state_.failed_digest = step_.target_digest;
    return stop_degraded(step_.reason);
  }

  /// Stays Degraded (rolled back earlier, or the reboot never happened): one entry per pass.
  Stop degraded() {
    entry(MessageKind::Degraded, Priority::Error, "Degraded: " + step_.reason, step_.target_digest,
          step_.reason);
    return stop_degraded(step_.reason);
  }

  /// Records `reason` as the last error, reports Degraded, exits 1 (the caller journaled it).
  Stop stop_degraded(const std::string& reason) {
    state_.last_error = reason;
    (void)persist();
    announce("Degraded", reason);
    return PassOutcome{1, step_, reason};
  }

  /// A failed step: journal it (unless the step did), remember it, report when it needs a person.
  PassOutcome fail(const Error& e, bool logged = false) {
    if (!logged)
      entry(failure_kind(e.kind), Priority::Error, e.message, step_.target_digest, e.message);
    if (state_.last_error != e.message) {
      state_.last_error = e.message;
      (void)persist();
    }
    if (e.kind != ErrorKind::Temporary) announce("Degraded", e.message);
    return PassOutcome{exit_code_for(e.kind), step_, e.message};
  }

  PassOutcome finish(PassOutcome outcome) {
    if (auto r = write_status(cfg_, status_snapshot(outcome)); !r)
      journal_message(MessageKind::Info, Priority::Warning,
                      wrap("Failed to write status.json", r.error()).message);
    return outcome;
  }

  StatusSnapshot status_snapshot(const PassOutcome& outcome) const {
    StatusSnapshot s;
    s.phase = std::string(phase_name(state_.phase));
    s.booted = describe(obs_.host.booted);
    s.staged = describe(obs_.host.staged);
    s.desired = obs_.desired;
    s.target = state_.target_image;
    s.last_error = state_.last_error;
    s.next = outcome.message;
    s.step = std::string(step_name(outcome.last_step.kind));
    s.exit_code = outcome.exit_code;
    s.updated_at = svc_.now();
    return s;
  }

  Result<void> persist() {
    state_.changed_at = svc_.now();
    return save_state(cfg_.state_dir, state_);
  }

  Result<void> report(const std::string& state, const std::string& reason) {
    if (svc_.cluster == nullptr) return {};
    Report r{state, describe(obs_.host.booted), reason, std::string(phase_name(state_.phase))};
    if (auto done = svc_.cluster->report(r); !done)
      return wrap("Failed to report state to the cluster", done.error());
    return {};
  }

  /// Best-effort report: a failure is journaled here (once) and retried by a later pass.
  void announce(const std::string& state, const std::string& reason) {
    if (auto r = report(state, reason); !r)
      journal_message(MessageKind::TemporaryFailure, Priority::Warning, r.error().message);
  }

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
};

}  // namespace

PassOutcome reconcile(const Settings& settings, Services& services) {
  return Pass(settings, services).run();
}

}  // namespace imageswitch
