#include "plan.h"

#include "text.h"

namespace imageswitch {

namespace {

std::string booted_digest(const Observation& o) {
  return o.host.booted ? o.host.booted->digest : std::string();
}

std::string staged_digest(const Observation& o) {
  return o.host.staged ? o.host.staged->digest : std::string();
}

/// We hold something in the cluster that must be given back (our cordon, a gate slot).
bool holds_cluster(const State& s) {
  return (s.cordon_recorded && s.we_cordoned) || s.gate_held;
}

Step step(StepKind kind, std::string reason, std::string digest = {}) {
  return Step{kind, std::move(reason), std::move(digest)};
}

std::string short_digest(const std::string& digest) {
  return digest.size() > 19 ? digest.substr(0, 19) : digest;
}

/// The way forward once `target` is staged: gate, drain, reboot (or wait when reboot is off).
Step after_staged(const Observation& o, const State& s, const Settings& cfg,
                  const std::string& target) {
  if (!cfg.reboot_enabled)
    return step(StepKind::Wait,
                "reboot pending: " + short_digest(target) + " is staged and reboot is disabled",
                target);
  if (cfg.coordination.kind != "none" && !s.gate_held)
    return step(StepKind::Gate, "taking a " + cfg.coordination.kind + " slot before the drain",
                target);
  if (cfg.drain.enabled && o.has_cluster && !o.drained)
    return step(StepKind::Drain, "draining the node before the reboot", target);
  return step(StepKind::Reboot, "rebooting into " + short_digest(target), target);
}

/// The target is already booted: report Done (or stay quiet when that was already reported).
Step converged(const State& s, const Observation& o, const std::string& booted) {
  if (s.phase == Phase::Done && s.desired == o.desired && s.target_digest == booted &&
      s.desired_config == o.desired_config && !holds_cluster(s))
    return step(StepKind::Noop, "the booted image is the desired image", booted);
  return step(StepKind::Confirm, "the booted image is the desired image; reporting Done", booted);
}

/// After a reboot was requested for the same desired image.
std::optional<Step> after_reboot_request(const Observation& o, const State& s) {
  const std::string& target = s.target_digest;
  const std::string booted = booted_digest(o);
  if (o.boot_id != s.reboot_boot_id) {
    if (booted == target) return step(StepKind::Confirm, "booted into the target image", target);
    return step(StepKind::RolledBack,
                "rolled back: booted " +
                    (booted.empty() ? std::string("an unknown image") : short_digest(booted)) +
                    " instead of " + short_digest(target),
                target);
  }
  if (booted == target) return step(StepKind::Confirm, "booted into the target image", target);
  if (staged_digest(o) != target) return std::nullopt;  // staged vanished: stage again
  if (s.reboot_attempts >= kMaxRebootAttempts)
    return step(StepKind::Degraded,
                "reboot requested " + std::to_string(s.reboot_attempts) +
                    " times but the node did not restart; check logind and rpm-ostreed",
                target);
  return step(StepKind::Reboot, "the requested reboot has not happened yet; requesting again",
              target);
}

/// Section 6 of decide(): a new (or changed) desired image: resolve, verify, stage.
Step toward_new_image(const Observation& o, const State& s, bool same_desired,
                      const std::string& booted, const std::string& staged) {
  if (!o.resolved_digest) return step(StepKind::Resolve, "resolving " + o.desired + " to a digest");
  const std::string& resolved = *o.resolved_digest;
  if (s.phase == Phase::Degraded && same_desired && resolved == s.failed_digest)
    return step(StepKind::Degraded, s.last_error + "; waiting for a new desired image", resolved);
  if (resolved == booted) {
    if (update_in_progress(s.phase) && s.target_digest != booted)
      return step(StepKind::Abandon,
                  "the desired image is the booted one again; dropping the staged update",
                  s.target_digest);
    return converged(s, o, booted);
  }
  if (!o.verified)
    return step(StepKind::Verify, "verifying the signature of " + short_digest(resolved), resolved);
  if (update_in_progress(s.phase) && s.target_digest != resolved)
    return step(StepKind::Stage,
                "the desired image changed; replacing " + short_digest(s.target_digest) + " with " +
                    short_digest(resolved),
                resolved);
  return step(StepKind::Stage,
              staged == resolved ? "adopting the already staged " + short_digest(resolved)
                                 : "staging " + short_digest(resolved),
              resolved);
}

}  // namespace

std::string_view step_name(StepKind kind) {
  // In StepKind's order (plan.h); plan_test pins the names.
  static constexpr std::string_view kNames[] = {"no-op",   "resolve",     "verify",   "stage",
                                                "gate",    "drain",       "reboot",   "confirm",
                                                "abandon", "rolled-back", "degraded", "wait"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(StepKind::Wait) + 1);
  const auto index = static_cast<std::size_t>(kind);
  return index < std::size(kNames) ? kNames[index] : "no-op";
}

std::string pinned_digest(std::string_view reference) {
  return digest_of_reference(reference);
}

Step decide(const Observation& o, const State& s, const Settings& cfg) {
  const bool same_desired = !s.desired.empty() && s.desired == o.desired;
  const std::string booted = booted_digest(o);
  const std::string staged = staged_digest(o);

  // 1. A reboot we requested: confirm it, detect a rollback, or ask again.
  if (s.phase == Phase::Rebooting && same_desired) {
    if (auto next = after_reboot_request(o, s)) return *next;
  }

  // 2. Nothing desired: give back what we hold, otherwise nothing to do.
  if (o.desired.empty()) {
    if (update_in_progress(s.phase) || holds_cluster(s))
      return step(StepKind::Abandon, "the desired image was removed; abandoning the update",
                  s.target_digest);
    return step(StepKind::Noop, "no desired image is set");
  }

  // 3. Fast path: the desired reference is pinned and already booted (no network).
  const std::string pinned = pinned_digest(o.desired);
  if (!pinned.empty() && pinned == booted) {
    if (update_in_progress(s.phase) && s.target_digest != booted)
      return step(StepKind::Abandon,
                  "the desired image is the booted one again; dropping the staged update",
                  s.target_digest);
    return converged(s, o, booted);
  }

  // 4. Rolled back earlier for this very desired image: stay degraded until it changes.
  if (s.phase == Phase::Degraded && same_desired) {
    const bool immutable = !pinned.empty();
    if (immutable || (o.resolved_digest && *o.resolved_digest == s.failed_digest))
      return step(StepKind::Degraded,
                  s.last_error.empty() ? "degraded; waiting for a new desired image"
                                       : s.last_error + "; waiting for a new desired image",
                  s.failed_digest);
  }

  // 5. An update for the same desired image is under way: resume it.
  if (same_desired && update_in_progress(s.phase) && s.phase != Phase::Degraded) {
    const std::string& target = s.target_digest;
    if (booted == target) return step(StepKind::Confirm, "booted into the target image", target);
    if (staged != target)
      return step(StepKind::Stage,
                  s.phase == Phase::Staging ? "staging " + short_digest(target)
                                            : "the staged deployment vanished; staging " +
                                                  short_digest(target) + " again",
                  target);
    return after_staged(o, s, cfg, target);
  }

  // 6. A new (or changed) desired image: resolve, verify, stage.
  return toward_new_image(o, s, same_desired, booted, staged);
}

}  // namespace imageswitch
