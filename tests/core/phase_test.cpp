// The phase table: every one of the 8 × 8 phase pairs is checked against an independent matrix,
// names round-trip, and a disallowed change fails loudly (abort in test builds, a Degraded error
// in release builds).
#include "phase.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <string>

using namespace imageswitch;

namespace {

// Rows: from; columns: to, in kAllPhases order
// (idle, staging, staged, gated, draining, rebooting, done, degraded). Written from the plan's
// steps, not from the table: 1 = the shell may make this change.
constexpr int kExpected[8][8] = {
    /* idle      */ {1, 1, 0, 0, 0, 0, 1, 0},
    /* staging   */ {1, 1, 1, 1, 1, 1, 1, 0},
    /* staged    */ {1, 1, 1, 1, 1, 1, 1, 0},
    /* gated     */ {1, 1, 1, 0, 1, 1, 1, 0},
    /* draining  */ {1, 1, 1, 1, 1, 1, 1, 0},
    /* rebooting */ {1, 1, 1, 0, 0, 1, 1, 1},
    /* done      */ {1, 1, 0, 0, 0, 0, 1, 0},
    /* degraded  */ {1, 1, 0, 0, 0, 0, 1, 0},
};

const std::set<std::string> kStepNames = {"stage",   "gate",    "drain",      "reboot",
                                          "confirm", "abandon", "rolled-back"};

}  // namespace

TEST_CASE("phase: every pair of phases is allowed exactly as the matrix says") {
  int allowed = 0;
  for (int f = 0; f < 8; ++f) {
    for (int t = 0; t < 8; ++t) {
      const Phase from = kAllPhases[f], to = kAllPhases[t];
      CAPTURE(phase_name(from));
      CAPTURE(phase_name(to));
      CHECK(transition_allowed(from, to) == (kExpected[f][t] == 1));
      allowed += kExpected[f][t];
    }
  }
  CHECK(static_cast<int>(phase_transitions().size()) == allowed);  // no duplicates in the table
}

TEST_CASE("phase: each table row names the plan step that makes it") {
  std::set<std::pair<Phase, Phase>> seen;
  for (const PhaseTransition& t : phase_transitions()) {
    CAPTURE(t.by);
    CHECK(seen.insert({t.from, t.to}).second);
    const auto colon = t.by.find(':');
    REQUIRE(colon != std::string_view::npos);
    CHECK(kStepNames.count(std::string(t.by.substr(0, colon))) == 1);
    CHECK(t.by.size() > colon + 2);
  }
}

TEST_CASE("phase: every phase can be entered and left") {
  for (Phase p : kAllPhases) {
    bool entered = false, left = false;
    for (const PhaseTransition& t : phase_transitions()) {
      entered = entered || (t.to == p && t.from != p);
      left = left || (t.from == p && t.to != p);
    }
    CAPTURE(phase_name(p));
    CHECK(entered);
    CHECK(left);
  }
}

TEST_CASE("phase: names round-trip and unknown names are rejected") {
  std::set<std::string_view> names;
  for (Phase p : kAllPhases) {
    CHECK(parse_phase(phase_name(p)) == p);
    names.insert(phase_name(p));
  }
  CHECK(names.size() == 8);
  CHECK_FALSE(parse_phase("rebooted").has_value());
  CHECK_FALSE(parse_phase("").has_value());
}

TEST_CASE("phase: an allowed change passes the check") {
  CHECK(check_transition(Phase::Staging, Phase::Staged).ok());
  CHECK(check_transition(Phase::Rebooting, Phase::Degraded).ok());
}

TEST_CASE("phase: a disallowed change fails loudly") {
  CHECK(transition_error_text(Phase::Idle, Phase::Rebooting) ==
        "internal error: phase idle → rebooting not allowed");
#ifdef IMAGESWITCH_FAILPOINTS
  // Test builds abort: run the check in a child and look at how it died.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    (void)check_transition(Phase::Idle, Phase::Rebooting);
    _exit(0);  // not reached when the check works
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
#else
  auto r = check_transition(Phase::Idle, Phase::Rebooting);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Degraded);
  CHECK(r.error().message == "internal error: phase idle → rebooting not allowed");
#endif
}
