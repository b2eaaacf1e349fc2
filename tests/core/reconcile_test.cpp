// The reconcile shell over in-memory fakes: whole updates across simulated reboots, failures at
// each step, and what is (not) touched. The real components are covered by integration tests.
#include "reconcile.h"

#include <doctest/doctest.h>

#include "reconcile_node.h"

using namespace imageswitch;
using namespace imageswitch::testing;

TEST_CASE("reconcile: a whole update through a tag, across one reboot") {
  Node n;
  n.source.value = kTag;
  PassOutcome first = n.pass();
  CHECK(first.exit_code == 0);
  CHECK(first.last_step.kind == StepKind::Reboot);
  CHECK(n.host.stage_calls == 1);
  CHECK(n.trust.verify_calls == 1);
  CHECK(n.cluster.drain_calls == 1);
  CHECK(n.host.reboot_calls == 1);
  CHECK(n.cluster.unschedulable);
  CHECK(n.state().phase == Phase::Rebooting);
  CHECK(n.cluster.last_state() == "Working");

  n.restart();
  PassOutcome second = n.pass();
  CHECK(second.exit_code == 0);
  CHECK(n.host.host.booted->digest == B);
  CHECK_FALSE(n.cluster.unschedulable);
  CHECK(n.cluster.uncordon_calls == 1);
  CHECK(n.cluster.last_state() == "Done");
  CHECK(n.cluster.reports.back().current_image == "quay.io/ocp/os@" + B);
  CHECK(n.state().phase == Phase::Done);

  const int reports = static_cast<int>(n.cluster.reports.size());
  PassOutcome third = n.pass();
  CHECK(third.last_step.kind == StepKind::Noop);
  CHECK(n.host.reboot_calls == 1);
  CHECK(static_cast<int>(n.cluster.reports.size()) == reports);  // nothing new to say
}

TEST_CASE("reconcile: pinned desired equal to the booted digest makes no trust call") {
  Node n;
  n.source.value = "quay.io/ocp/os@" + A;
  CHECK(n.pass().exit_code == 0);
  CHECK(n.trust.resolve_calls == 0);
  CHECK(n.state().phase == Phase::Done);
  CHECK(n.pass().last_step.kind == StepKind::Noop);
  CHECK(n.trust.resolve_calls == 0);
  CHECK(n.trust.verify_calls == 0);
}

TEST_CASE("reconcile: a rejected signature leaves the host and the node untouched") {
  Node n;
  n.source.value = kTag;
  n.trust.rejected.insert(B);
  PassOutcome out = n.pass();
  CHECK(out.exit_code == 1);
  CHECK(out.message.find("no valid signature") != std::string::npos);
  CHECK(n.host.stage_calls == 0);
  CHECK(n.cluster.drain_calls == 0);
  CHECK_FALSE(n.cluster.unschedulable);
  CHECK(n.cluster.last_state() == "Degraded");
  CHECK(n.cluster.reports.back().reason.find("no valid signature") != std::string::npos);
  // Once the signature appears, the next trigger proceeds.
  n.trust.rejected.clear();
  CHECK(n.pass().last_step.kind == StepKind::Reboot);
}

TEST_CASE("reconcile: a rollback is Degraded and never reboots again for that digest") {
  Node n;
  n.source.value = kTag;
  REQUIRE(n.pass().last_step.kind == StepKind::Reboot);
  n.restart(/*roll_back=*/true);
  PassOutcome out = n.pass();
  CHECK(out.exit_code == 1);
  CHECK(out.last_step.kind == StepKind::RolledBack);
  CHECK(n.cluster.last_state() == "Degraded");
  CHECK(n.cluster.reports.back().reason.find("rolled back") != std::string::npos);
  CHECK_FALSE(n.cluster.unschedulable);  // the node runs its old image fine: give it back
  for (int i = 0; i < 3; ++i) {
    PassOutcome again = n.pass();
    CHECK(again.exit_code == 1);
    CHECK(again.last_step.kind == StepKind::Degraded);
  }
  CHECK(n.host.reboot_calls == 1);
  CHECK(n.host.stage_calls == 1);
  // A new desired image clears it.
  n.source.value = kTagC;
  CHECK(n.pass().last_step.kind == StepKind::Reboot);
  CHECK(n.host.host.staged->digest == C);
}

TEST_CASE("reconcile: a node cordoned by an admin stays cordoned") {
  Node n;
  n.source.value = kTag;
  n.cluster.unschedulable = true;
  REQUIRE(n.pass().last_step.kind == StepKind::Reboot);
  n.restart();
  CHECK(n.pass().exit_code == 0);
  CHECK(n.cluster.uncordon_calls == 0);
  CHECK(n.cluster.unschedulable);
}

TEST_CASE("reconcile: a blocked drain is Degraded, keeps the staged deployment, retries") {
  Node n;
  n.source.value = kTag;
  n.cluster.drain_error = make_error(ErrorKind::Degraded, "pod 'shop/db-0' blocked by PDB 'db'");
  PassOutcome out = n.pass();
  CHECK(out.exit_code == 1);
  CHECK(n.host.host.staged->digest == B);
  CHECK(n.host.reboot_calls == 0);
  CHECK(n.state().phase == Phase::Draining);
  CHECK(n.cluster.reports.back().reason.find("PDB 'db'") != std::string::npos);
  n.cluster.drain_error.reset();
  CHECK(n.pass().last_step.kind == StepKind::Reboot);
  CHECK(n.host.stage_calls == 1);  // not staged twice
  n.restart();
  CHECK(n.pass().exit_code == 0);
  CHECK(n.cluster.uncordon_calls == 1);  // we cordoned it (first drain call), so we uncordon
}

TEST_CASE("reconcile: a temporary staging failure exits 75 and the next pass stages") {
  Node n;
  n.source.value = kTag;
  n.host.stage_error = make_error(ErrorKind::Temporary, "Transaction in progress: upgrade");
  PassOutcome out = n.pass();
  CHECK(out.exit_code == 75);
  CHECK(n.state().phase == Phase::Staging);
  CHECK(n.cluster.drain_calls == 0);
  n.host.stage_error.reset();
  CHECK(n.pass().last_step.kind == StepKind::Reboot);
}

TEST_CASE("reconcile: the desired image changes while staged (reboot disabled)") {
  Node n;
  n.settings.reboot_enabled = false;
  n.source.value = kTag;
  PassOutcome out = n.pass();
  CHECK(out.exit_code == 0);
  CHECK(out.last_step.kind == StepKind::Wait);
  CHECK(out.message.find("reboot pending") != std::string::npos);
  CHECK(n.host.host.staged->digest == B);
  n.source.value = kTagC;
  CHECK(n.pass().last_step.kind == StepKind::Wait);
  CHECK(n.host.host.staged->digest == C);
  CHECK(n.state().target_digest == C);
  CHECK(n.host.reboot_calls == 0);
  CHECK(n.cluster.drain_calls == 0);
}

TEST_CASE("reconcile: the desired image is removed while draining") {
  Node n;
  n.source.value = kTag;
  n.cluster.drain_error = make_error(ErrorKind::Degraded, "timeout");
  REQUIRE(n.pass().exit_code == 1);
  REQUIRE(n.cluster.unschedulable);
  n.source.value = "";
  CHECK(n.pass().exit_code == 0);
  CHECK_FALSE(n.host.host.staged.has_value());
  CHECK(n.host.cleanup_calls == 1);
  CHECK_FALSE(n.cluster.unschedulable);
  CHECK(n.state().phase == Phase::Idle);
}

TEST_CASE("reconcile: a full gate waits without draining; the slot is released after confirm") {
  Node n;
  n.with_gate = true;
  n.settings.coordination.kind = "lease";
  n.gate.free = 0;
  n.source.value = kTag;
  PassOutcome out = n.pass();
  CHECK(out.exit_code == 0);
  CHECK(out.message.find("waiting") != std::string::npos);
  CHECK(n.cluster.drain_calls == 0);
  CHECK(n.host.host.staged->digest == B);  // staged before the gate: download outside the window
  n.gate.free = 1;
  CHECK(n.pass().last_step.kind == StepKind::Reboot);
  CHECK(n.gate.held);
  n.restart();
  CHECK(n.pass().exit_code == 0);
  CHECK_FALSE(n.gate.held);
  CHECK(n.gate.release_calls == 1);
}

TEST_CASE("reconcile: an unwritable state directory stops before the host is touched") {
  Node n;
  n.source.value = kTag;
  fs::create_directories(n.dir);
  std::FILE* f = std::fopen((n.dir + "/state").c_str(), "w");  // a file where the dir should be
  REQUIRE(f != nullptr);
  std::fclose(f);
  PassOutcome out = n.pass();
  CHECK(out.exit_code == 75);
  CHECK(n.host.stage_calls == 0);
  CHECK(n.cluster.drain_calls == 0);
}

TEST_CASE("reconcile: a requested reboot that did not happen is requested again, then Degraded") {
  Node n;
  n.source.value = kTag;
  REQUIRE(n.pass().last_step.kind == StepKind::Reboot);
  for (int i = 1; i < kMaxRebootAttempts; ++i) CHECK(n.pass().last_step.kind == StepKind::Reboot);
  PassOutcome out = n.pass();
  CHECK(out.exit_code == 1);
  CHECK(out.last_step.kind == StepKind::Degraded);
  CHECK(n.host.reboot_calls == kMaxRebootAttempts);
}

TEST_CASE("reconcile: a standalone host (file source, no cluster) updates without a drain") {
  Node n;
  n.with_cluster = false;
  n.source.value = kTag;
  CHECK(n.pass().last_step.kind == StepKind::Reboot);
  CHECK(n.cluster.drain_calls == 0);
  n.restart();
  CHECK(n.pass().exit_code == 0);
  CHECK(n.state().phase == Phase::Done);
}

TEST_CASE("reconcile: bus and source failures are temporary and leave state alone") {
  Node n;
  n.source.value = kTag;
  n.host.status_error = make_error(ErrorKind::Temporary, "rpm-ostreed is not running");
  PassOutcome out = n.pass();
  CHECK(out.exit_code == 75);
  CHECK(out.message.find("rpm-ostreed is not running") != std::string::npos);
  n.host.status_error.reset();
  n.source.error = make_error(ErrorKind::Temporary, "API server unreachable");
  CHECK(n.pass().exit_code == 75);
  CHECK(n.host.stage_calls == 0);
}

TEST_CASE("reconcile: status.json is written after each pass") {
  Node n;
  n.source.value = kTag;
  (void)n.pass();
  CHECK(fs::exists(n.settings.runtime_dir + "/status.json"));
}

TEST_CASE("reconcile: a lost state file after the drain still ends uncordoned (mark on the Node)") {
  Node n;
  n.source.value = kTag;
  REQUIRE(n.pass().last_step.kind == StepKind::Reboot);
  REQUIRE(n.cluster.unschedulable);
  n.restart();
  fs::remove(n.settings.state_dir + "/state.json");
  CHECK(n.pass().exit_code == 0);
  CHECK_FALSE(n.cluster.unschedulable);
  CHECK(n.host.reboot_calls == 1);
  CHECK(n.state().phase == Phase::Done);
}
