// The decision, table-driven over every phase and observation. No I/O.
#include "plan.h"

#include <doctest/doctest.h>

#include <functional>
#include <vector>

using namespace imageswitch;

namespace {

const std::string A = "sha256:" + std::string(64, 'a');  // booted before the update
const std::string B = "sha256:" + std::string(64, 'b');  // the update
const std::string C = "sha256:" + std::string(64, 'c');  // a later update
const std::string kTag = "quay.io/ocp/os:4.18";
const std::string kPinnedB = "quay.io/ocp/os@" + B;
const std::string kPinnedC = "quay.io/ocp/os@" + C;

Deployment dep(const std::string& digest) {
  return Deployment{"id", "csum-" + digest.substr(7, 4), "quay.io/ocp/os@" + digest, digest};
}

Observation obs(const std::string& desired, const std::string& booted,
                const std::string& staged = "") {
  Observation o;
  o.desired = desired;
  if (!booted.empty()) o.host.booted = dep(booted);
  if (!staged.empty()) o.host.staged = dep(staged);
  o.boot_id = "boot-1";
  o.has_cluster = true;
  return o;
}

State st(Phase phase, const std::string& desired = "", const std::string& target = "") {
  State s;
  s.phase = phase;
  s.desired = desired;
  s.target_digest = target;
  s.target_image = target.empty() ? "" : "quay.io/ocp/os@" + target;
  return s;
}

Settings cfg() {
  return Settings{};
}

struct Row {
  const char* name;
  Observation o;
  State s;
  Settings c;
  StepKind want;
  std::string want_digest;  // "" = don't care
};

Observation resolved(Observation o, const std::string& d, bool verified = false) {
  o.resolved_digest = d;
  o.verified = verified;
  return o;
}

Observation drained(Observation o) {
  o.drained = true;
  return o;
}

Observation standalone(Observation o) {
  o.has_cluster = false;
  return o;
}

State rebooting(const std::string& desired, const std::string& target, const char* boot,
                int attempts = 1) {
  State s = st(Phase::Rebooting, desired, target);
  s.reboot_boot_id = boot;
  s.reboot_attempts = attempts;
  return s;
}

State cordoned(State s, bool ours = true) {
  s.cordon_recorded = true;
  s.we_cordoned = ours;
  return s;
}

State gated(State s) {
  s.gate_held = true;
  return s;
}

State degraded(const std::string& desired, const std::string& failed) {
  State s = st(Phase::Degraded, desired, failed);
  s.failed_digest = failed;
  s.last_error = "rolled back";
  return s;
}

Settings with(std::function<void(Settings&)> f) {
  Settings s;
  f(s);
  return s;
}

/// decide() gives each row's step (and digest, when the row names one), always with a reason.
void check_rows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const Step got = decide(row.o, row.s, row.c);
    CHECK_MESSAGE(step_name(got.kind) == step_name(row.want), row.name, ": ", got.reason);
    if (!row.want_digest.empty()) CHECK_MESSAGE(got.target_digest == row.want_digest, row.name);
    CHECK_FALSE(got.reason.empty());
  }
}

}  // namespace

TEST_CASE("plan: nothing desired, the fast path and new desired images") {
  const std::vector<Row> rows = {
      // Nothing desired.
      {"no desired, no state", obs("", A), st(Phase::Idle), cfg(), StepKind::Noop, ""},
      {"no desired, done", obs("", A), st(Phase::Done, kPinnedB, A), cfg(), StepKind::Noop, ""},
      {"desired removed while staged", obs("", A, B), st(Phase::Staged, kTag, B), cfg(),
       StepKind::Abandon, B},
      {"desired removed while draining", obs("", A, B), cordoned(st(Phase::Draining, kTag, B)),
       cfg(), StepKind::Abandon, B},
      {"desired removed, still hold gate", obs("", A), gated(st(Phase::Idle)), cfg(),
       StepKind::Abandon, ""},
      {"desired emptied while staging", obs("", A), st(Phase::Staging, kTag, B), cfg(),
       StepKind::Abandon, B},
      // Fast path: pinned and booted, no network.
      {"pinned == booted, fresh", obs(kPinnedB, B), st(Phase::Idle), cfg(), StepKind::Confirm, B},
      {"pinned == booted, done", obs(kPinnedB, B), st(Phase::Done, kPinnedB, B), cfg(),
       StepKind::Noop, B},
      {"pinned == booted, done for other ref", obs(kPinnedB, B), st(Phase::Done, kTag, B), cfg(),
       StepKind::Confirm, B},
      {"pinned == booted, but staged C in progress", obs(kPinnedB, B, C),
       st(Phase::Staged, kPinnedC, C), cfg(), StepKind::Abandon, C},
      {"pinned == booted, done but still cordoned", obs(kPinnedB, B),
       cordoned(st(Phase::Done, kPinnedB, B)), cfg(), StepKind::Confirm, B},
      // New desired image.
      {"tag, nothing resolved", obs(kTag, A), st(Phase::Idle), cfg(), StepKind::Resolve, ""},
      {"pinned elsewhere, nothing resolved", obs(kPinnedB, A), st(Phase::Done, "x", A), cfg(),
       StepKind::Resolve, ""},
      {"resolved, unverified", resolved(obs(kTag, A), B), st(Phase::Idle), cfg(), StepKind::Verify,
       B},
      {"resolved, verified", resolved(obs(kTag, A), B, true), st(Phase::Idle), cfg(),
       StepKind::Stage, B},
      {"resolved == booted, done", resolved(obs(kTag, A), A), st(Phase::Done, kTag, A), cfg(),
       StepKind::Noop, A},
      {"resolved == booted, idle", resolved(obs(kTag, A), A), st(Phase::Idle), cfg(),
       StepKind::Confirm, A},
      {"resolved, already staged by someone", resolved(obs(kTag, A, B), B, true), st(Phase::Idle),
       cfg(), StepKind::Stage, B},
  };
  check_rows(rows);
}

TEST_CASE("plan: resuming an update for the same desired image") {
  const std::vector<Row> rows = {
      {"staging interrupted", obs(kTag, A), st(Phase::Staging, kTag, B), cfg(), StepKind::Stage, B},
      {"staging finished before crash", obs(kTag, A, B), st(Phase::Staging, kTag, B), cfg(),
       StepKind::Drain, B},
      {"staged vanished", obs(kTag, A), st(Phase::Staged, kTag, B), cfg(), StepKind::Stage, B},
      {"staged vanished while draining", obs(kTag, A), cordoned(st(Phase::Draining, kTag, B)),
       cfg(), StepKind::Stage, B},
      {"staged other digest", obs(kTag, A, C), st(Phase::Staged, kTag, B), cfg(), StepKind::Stage,
       B},
      {"staged, drain next", obs(kTag, A, B), st(Phase::Staged, kTag, B), cfg(), StepKind::Drain,
       B},
      {"staged, drained this pass", drained(obs(kTag, A, B)), st(Phase::Draining, kTag, B), cfg(),
       StepKind::Reboot, B},
      {"draining resumes", obs(kTag, A, B), cordoned(st(Phase::Draining, kTag, B)), cfg(),
       StepKind::Drain, B},
      {"staged, drain disabled", obs(kTag, A, B), st(Phase::Staged, kTag, B),
       with([](Settings& s) { s.drain.enabled = false; }), StepKind::Reboot, B},
      {"staged, standalone host", standalone(obs(kTag, A, B)), st(Phase::Staged, kTag, B), cfg(),
       StepKind::Reboot, B},
      {"staged, reboot disabled", obs(kTag, A, B), st(Phase::Staged, kTag, B),
       with([](Settings& s) { s.reboot_enabled = false; }), StepKind::Wait, B},
      {"staged, lease gate", obs(kTag, A, B), st(Phase::Staged, kTag, B),
       with([](Settings& s) { s.coordination.kind = "lease"; }), StepKind::Gate, B},
      {"gated, drain next", obs(kTag, A, B), gated(st(Phase::Gated, kTag, B)),
       with([](Settings& s) { s.coordination.kind = "lease"; }), StepKind::Drain, B},
      {"in progress, already booted", obs(kTag, B), st(Phase::Staged, kTag, B), cfg(),
       StepKind::Confirm, B},
      // Desired changes in the middle of an update: start over.
      {"changed while staged", obs(kPinnedC, A, B), st(Phase::Staged, kTag, B), cfg(),
       StepKind::Resolve, ""},
      {"changed while staged, resolved", resolved(obs(kPinnedC, A, B), C),
       st(Phase::Staged, kTag, B), cfg(), StepKind::Verify, C},
      {"changed while staged, verified", resolved(obs(kPinnedC, A, B), C, true),
       st(Phase::Staged, kTag, B), cfg(), StepKind::Stage, C},
      {"changed while draining, verified", resolved(obs(kPinnedC, A, B), C, true),
       cordoned(st(Phase::Draining, kTag, B)), cfg(), StepKind::Stage, C},
      {"changed back to booted while staged", resolved(obs(kTag + "-old", A, B), A),
       st(Phase::Staged, kTag, B), cfg(), StepKind::Abandon, B},
  };
  check_rows(rows);
}

TEST_CASE("plan: after the reboot, and degraded after a rollback") {
  const std::vector<Row> rows = {
      {"rebooted into target", obs(kTag, B), rebooting(kTag, B, "boot-0"), cfg(), StepKind::Confirm,
       B},
      {"rebooted, rolled back", obs(kTag, A), rebooting(kTag, B, "boot-0"), cfg(),
       StepKind::RolledBack, B},
      {"rebooted, rolled back, staged still there", obs(kTag, A, B), rebooting(kTag, B, "boot-0"),
       cfg(), StepKind::RolledBack, B},
      {"reboot pending same boot", obs(kTag, A, B), rebooting(kTag, B, "boot-1"), cfg(),
       StepKind::Reboot, B},
      {"reboot never happens", obs(kTag, A, B), rebooting(kTag, B, "boot-1", kMaxRebootAttempts),
       cfg(), StepKind::Degraded, B},
      {"reboot pending, staged vanished", obs(kTag, A), rebooting(kTag, B, "boot-1"), cfg(),
       StepKind::Stage, B},
      {"rebooted, desired changed meanwhile", obs(kPinnedC, B), rebooting(kTag, B, "boot-0"), cfg(),
       StepKind::Resolve, ""},
      // Degraded after a rollback: never again for that digest.
      {"degraded, same pinned desired", obs(kPinnedB, A), degraded(kPinnedB, B), cfg(),
       StepKind::Degraded, B},
      {"degraded, same tag, same digest", resolved(obs(kTag, A), B), degraded(kTag, B), cfg(),
       StepKind::Degraded, B},
      {"degraded, same tag, unresolved", obs(kTag, A), degraded(kTag, B), cfg(), StepKind::Resolve,
       ""},
      {"degraded, tag moved", resolved(obs(kTag, A), C), degraded(kTag, B), cfg(), StepKind::Verify,
       C},
      {"degraded, new desired", obs(kPinnedC, A), degraded(kPinnedB, B), cfg(), StepKind::Resolve,
       ""},
      {"degraded, desired is booted", obs("quay.io/ocp/os@" + A, A), degraded(kPinnedB, B), cfg(),
       StepKind::Confirm, A},
  };
  check_rows(rows);
}

TEST_CASE("plan: is pure (same inputs, same step)") {
  const Observation o = resolved(obs(kTag, A, B), B, true);
  const State s = cordoned(st(Phase::Draining, kTag, B));
  const Step first = decide(o, s, cfg());
  for (int i = 0; i < 3; ++i) {
    const Step again = decide(o, s, cfg());
    CHECK(again.kind == first.kind);
    CHECK(again.reason == first.reason);
    CHECK(again.target_digest == first.target_digest);
  }
}

TEST_CASE("plan: a rolled-back digest is never rebooted into again") {
  // Walk every phase with the failed digest B staged: no step may be Reboot or Stage of B.
  for (Phase p : {Phase::Idle, Phase::Done, Phase::Degraded}) {
    State s = degraded(kPinnedB, B);
    s.phase = p == Phase::Degraded ? Phase::Degraded : s.phase;
    const Step got = decide(obs(kPinnedB, A, B), s, cfg());
    CHECK(got.kind != StepKind::Reboot);
    CHECK_FALSE((got.kind == StepKind::Stage && got.target_digest == B));
  }
}

TEST_CASE("plan: pinned_digest") {
  CHECK(pinned_digest(kPinnedB) == B);
  CHECK(pinned_digest(kTag).empty());
  CHECK(pinned_digest("quay.io/x:1@sha256:abc") == "sha256:abc");
  CHECK(pinned_digest("quay.io/x@md5:abc").empty());
  CHECK(pinned_digest("").empty());
}

TEST_CASE("plan: step names are distinct") {
  std::vector<std::string_view> names;
  for (int k = 0; k <= static_cast<int>(StepKind::Wait); ++k)
    names.push_back(step_name(static_cast<StepKind>(k)));
  for (size_t i = 0; i < names.size(); ++i)
    for (size_t j = i + 1; j < names.size(); ++j) CHECK(names[i] != names[j]);
  // the names are in status output and the journal: each kind keeps its own
  CHECK(step_name(StepKind::Noop) == "no-op");
  CHECK(step_name(StepKind::Gate) == "gate");
  CHECK(step_name(StepKind::RolledBack) == "rolled-back");
  CHECK(step_name(StepKind::Wait) == "wait");
}
