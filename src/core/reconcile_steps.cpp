// One method per plan step of the reconcile pass (the Pass class is in reconcile_pass.h).
#include "failpoint.h"
#include "gate_upkeep.h"
#include "journal.h"
#include "kargs_step.h"
#include "reconcile_pass.h"
#include "state.h"
#include "status.h"

namespace imageswitch::detail {

Pass::Stop Pass::resolve() {
  auto r = svc_.trust.resolve(obs_.desired);
  if (!r) return fail(r.error());
  resolved_ = std::move(r.value());
  obs_.resolved_digest = resolved_.digest;
  IMAGESWITCH_FAILPOINT("after-resolve");
  return std::nullopt;
}

Pass::Stop Pass::verify() {
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

Pass::Stop Pass::stage() {
  const std::string& target = step_.target_digest;
  if (state_.target_digest != target || state_.desired != obs_.desired ||
      state_.phase == Phase::Idle || state_.phase == Phase::Done ||
      state_.phase == Phase::Degraded) {
    if (auto r = move_to(Phase::Staging); !r) return fail(r.error());
    state_.desired = obs_.desired;
    state_.desired_config = obs_.desired_config;
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
      entry(
          MessageKind::StageFailed, Priority::Error,
          wrap_unless("Failed to stage", "Failed to stage '" + state_.target_image + "'", r.error())
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
  staged_now_ = true;
  if (auto r = persist(); !r) return fail(r.error());
  IMAGESWITCH_FAILPOINT("after-staged");
  entry(MessageKind::Staged, Priority::Notice,
        "Staged " + state_.target_image + " for the next boot", target);
  return std::nullopt;
}

Pass::Stop Pass::gate() {
  if (svc_.gate == nullptr) {
    state_.gate_held = true;  // no gate configured: nothing to hold, nothing to release
    return std::nullopt;
  }
  auto taken = svc_.gate->acquire();
  if (!taken) return fail(taken.error());
  if (!*taken) {
    // Said once, by the pass that staged: a waiting pass re-runs every few seconds.
    if (staged_now_) announce("Working", "");
    return PassOutcome{0, step_, "waiting for a " + cfg_.coordination.kind + " slot"};
  }
  state_.gate_held = true;
  if (auto r = move_to(Phase::Gated); !r) return fail(r.error());
  if (auto r = persist(); !r) return fail(r.error());
  IMAGESWITCH_FAILPOINT("after-gate");
  return std::nullopt;
}

Pass::Stop Pass::drain() {
  if (!state_.cordon_recorded) {
    auto was = svc_.cluster->cordoned();
    if (!was) return fail(was.error());
    state_.we_cordoned = !*was;
    state_.cordon_recorded = true;
  }
  if (auto r = move_to(Phase::Draining); !r) return fail(r.error());
  if (auto r = persist(); !r) return fail(r.error());
  announce("Working", "");
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
  for (const auto& note : d->notes) journal_message(MessageKind::Info, Priority::Info, note);
  if (!d->decided_by.empty())  // what decided single node or not: the MCO's annotation or a guess
    journal_message(MessageKind::Info, Priority::Info,
                    (d->skipped ? "Not drained, single node: " : "Drained: ") + d->decided_by);
  obs_.drained = true;
  return std::nullopt;
}

Pass::Stop Pass::reboot() {
  if (auto r = move_to(Phase::Rebooting); !r) return fail(r.error());
  state_.reboot_boot_id = obs_.boot_id;
  state_.reboot_attempts += 1;
  if (auto r = persist(); !r) return fail(r.error());
  announce("Working", "");
  entry(MessageKind::Rebooting, Priority::Notice, "Rebooting into " + state_.target_image,
        step_.target_digest);
  IMAGESWITCH_FAILPOINT("before-reboot");
  if (auto r = svc_.host.reboot(*obs_.host.staged); !r) {
    state_.reboot_attempts -= 1;  // a failed or refused finalize is not a reboot attempt
    if (r.error().kind == ErrorKind::Degraded) {
      if (auto m = move_to(Phase::Degraded); !m) return fail(m.error());
      state_.failed_digest = step_.target_digest;  // refused: a person must look, no loop
    }
    (void)persist();
    return fail(r.error());
  }
  IMAGESWITCH_FAILPOINT("after-reboot");
  return PassOutcome{0, step_, "reboot requested into " + state_.target_image};
}

Result<void> Pass::release_cluster() {
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

Pass::Stop Pass::confirm() {
  const bool first = state_.phase != Phase::Done || state_.desired != obs_.desired;
  // The config persisted when this update started; else (already booted) the one just read.
  const bool resumed = first && state_.desired == obs_.desired && !state_.desired_config.empty();
  const std::string config = resumed ? state_.desired_config : obs_.desired_config;
  IMAGESWITCH_FAILPOINT("before-confirm");
  if (auto r = release_cluster(); !r) return fail(r.error());
  IMAGESWITCH_FAILPOINT("after-release");
  if (auto r = move_to(Phase::Done, /*reset=*/true); !r) return fail(r.error());
  state_.desired = obs_.desired;
  state_.desired_config = config;
  state_.target_digest = step_.target_digest;
  state_.target_image = describe(obs_.host.booted);
  if (auto r = report("Done", ""); !r) return fail(r.error());
  IMAGESWITCH_FAILPOINT("after-report-done");
  if (auto r = persist(); !r) return fail(r.error());
  IMAGESWITCH_FAILPOINT("after-confirm");
  if (first)
    entry(MessageKind::UpdateDone, Priority::Notice,
          "Running the desired image " + state_.target_image, step_.target_digest);
  return std::nullopt;
}

Pass::Stop Pass::abandon() {
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

Pass::Stop Pass::rolled_back() {
  // Give back the cordon and gate first: if that fails, the pass ends on that one failure and
  // the next pass finds the same rollback again.
  if (auto r = release_cluster(); !r) return fail(r.error());
  entry(MessageKind::RolledBack, Priority::Error,
        "Update " + state_.target_image + " " + step_.reason, step_.target_digest, step_.reason);
  if (auto r = move_to(Phase::Degraded); !r) return fail(r.error());
  state_.failed_digest = step_.target_digest;
  return stop_degraded(step_.reason);
}

Pass::Stop Pass::degraded() {
  entry(MessageKind::Degraded, Priority::Error, "Degraded: " + step_.reason, step_.target_digest,
        step_.reason);
  return stop_degraded(step_.reason);
}

Pass::Stop Pass::kernel_args() {
  const bool past_staging = step_.kind == StepKind::Gate || step_.kind == StepKind::Drain ||
                            step_.kind == StepKind::Reboot || step_.kind == StepKind::Wait;
  if (kargs_done_ || !past_staging || !obs_.host.staged ||
      obs_.host.staged->digest != step_.target_digest)
    return std::nullopt;
  kargs_done_ = true;
  const KargsStepOutcome k = run_kargs_step(svc_.host, *obs_.host.staged,
                                            {state_.target_image, obs_.desired, step_.target_digest,
                                             std::string(phase_name(state_.phase))});
  if (k.error && k.error->kind == ErrorKind::Degraded) {
    if (auto m = move_to(Phase::Degraded); !m) return fail(m.error());
    state_.failed_digest = step_.target_digest;
    (void)refresh_host();
  }
  if (k.error) return fail(*k.error);
  kargs_summary_ = k.summary;
  if (k.applied) {
    if (auto r = refresh_host(); !r) return fail(r.error());
  }
  return std::nullopt;
}

Pass::Stop Pass::stop_degraded(const std::string& reason) {
  state_.last_error = reason;
  (void)persist();
  announce("Degraded", reason);
  return PassOutcome{1, step_, reason};
}

}  // namespace imageswitch::detail
