#include "reconcile.h"

#include <iterator>

#include "failpoint.h"
#include "gate_upkeep.h"
#include "journal.h"
#include "kargs_step.h"
#include "reconcile_pass.h"
#include "state.h"
#include "status.h"

namespace imageswitch {
namespace detail {

PassOutcome Pass::run() {
  if (auto r = observe(); !r) return fail(r.error());
  auto upkeep =
      gate_upkeep(svc_.gate, state_, cfg_.coordination.kind, cfg_.runtime_dir, obs_.boot_id);
  if (!upkeep) return fail(upkeep.error());
  if (!upkeep->empty()) journal_message(MessageKind::Info, Priority::Notice, *upkeep);
  for (int i = 0; i < kMaxStepsPerPass; ++i) {
    step_ = decide(obs_, state_, cfg_);
    std::optional<PassOutcome> done = act();
    if (done) return finish(*done);
  }
  return fail(make_error(ErrorKind::Degraded, "the plan did not converge within " +
                                                  std::to_string(kMaxStepsPerPass) + " steps"));
}

Result<void> Pass::observe() {
  NodeLook look = imageswitch::observe(cfg_, svc_);
  if (!look.saved.warning.empty())
    journal_message(MessageKind::Info, Priority::Warning, look.saved.warning);
  state_ = std::move(look.saved.state);
  if (auto e = observe_error(look)) return *e;
  obs_ = observation_of(look);
  return {};
}

Result<void> Pass::move_to(Phase to, bool reset) {
  TRY(check_transition(state_.phase, to));
  if (reset) state_ = State{};
  state_.phase = to;
  return {};
}

Result<void> Pass::refresh_host() {
  auto host = svc_.host.status();
  if (!host) return wrap("Failed to read the deployments", host.error());
  obs_.host = std::move(host.value());
  return {};
}

Pass::Stop Pass::act() {
  if (Stop stop = kernel_args(); stop) return stop;
  // In StepKind's order (plan.h); the reconcile tests take every step.
  static constexpr Stop (Pass::*kActions[])() = {
      &Pass::idle,    &Pass::resolve,     &Pass::verify,   &Pass::stage,
      &Pass::gate,    &Pass::drain,       &Pass::reboot,   &Pass::confirm,
      &Pass::abandon, &Pass::rolled_back, &Pass::degraded, &Pass::wait};
  static_assert(std::size(kActions) == static_cast<std::size_t>(StepKind::Wait) + 1);
  const auto index = static_cast<std::size_t>(step_.kind);
  return index < std::size(kActions) ? (this->*kActions[index])() : idle();
}

Pass::Stop Pass::idle() {
  return PassOutcome{0, step_, step_.reason};
}

Pass::Stop Pass::wait() {
  announce("Working", "");
  return PassOutcome{0, step_, step_.reason};
}

PassOutcome Pass::fail(const Error& e, bool logged) {
  if (!logged)
    entry(failure_kind(e.kind), Priority::Error, e.message, step_.target_digest, e.message);
  if (state_.last_error != e.message) {
    state_.last_error = e.message;
    (void)persist();
  }
  if (e.kind != ErrorKind::Temporary) announce("Degraded", e.message);
  return PassOutcome{exit_code_for(e.kind), step_, e.message};
}

PassOutcome Pass::finish(PassOutcome outcome) {
  if (auto r = write_status(cfg_, status_snapshot(outcome)); !r)
    journal_message(MessageKind::Info, Priority::Warning,
                    wrap("Failed to write status.json", r.error()).message);
  return outcome;
}

StatusSnapshot Pass::status_snapshot(const PassOutcome& outcome) const {
  StatusSnapshot s;
  s.phase = std::string(phase_name(state_.phase));
  s.booted = describe(obs_.host.booted);
  s.staged = describe(obs_.host.staged);
  s.staged_kargs = kargs_summary_;
  s.desired = obs_.desired;
  s.target = state_.target_image;
  s.last_error = state_.last_error;
  s.next = outcome.message;
  s.step = std::string(step_name(outcome.last_step.kind));
  s.exit_code = outcome.exit_code;
  s.updated_at = svc_.now();
  return s;
}

Result<void> Pass::persist() {
  state_.changed_at = svc_.now();
  return save_state(cfg_.state_dir, state_);
}

Result<void> Pass::report(const std::string& state, const std::string& reason) {
  if (svc_.cluster == nullptr) return {};
  Report r{state, "", reason, std::string(phase_name(state_.phase))};
  if (state_.phase == Phase::Done) {  // what the MCO compares: the strings exactly as read
    r.current_image = state_.desired;
    r.current_config = state_.desired_config;
  }
  if (auto done = svc_.cluster->report(r); !done)
    return wrap("Failed to report state to the cluster", done.error());
  return {};
}

void Pass::announce(const std::string& state, const std::string& reason) {
  if (auto r = report(state, reason); !r)
    journal_message(MessageKind::TemporaryFailure, Priority::Warning, r.error().message);
}

}  // namespace detail

PassOutcome reconcile(const Settings& settings, Services& services) {
  return detail::Pass(settings, services).run();
}

}  // namespace imageswitch
