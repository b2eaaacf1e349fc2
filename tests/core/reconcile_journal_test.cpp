// What a pass tells the journal and the Node: every exit 1 leaves exactly one failure entry with
// its MESSAGE_ID and reason (the same reason as on the Node), and each failure is logged once.
#include <doctest/doctest.h>

#include <set>

#include "reconcile_node.h"

using namespace imageswitch;
using namespace imageswitch::testing;

namespace {

/// The entries of kinds that explain a failure (everything at priority Error).
std::vector<JournalEntry> failures(const std::vector<JournalEntry>& entries) {
  std::vector<JournalEntry> out;
  for (const JournalEntry& e : entries)
    if (e.priority == Priority::Error) out.push_back(e);
  return out;
}

/// Checks the contract of an exit-1 pass: one failure entry, an exit-1 MESSAGE_ID, the reason in
/// IMAGESWITCH_REASON and in the Node's Degraded report.
void check_one_degraded_entry(Node& n, const PassOutcome& out, MessageKind expected) {
  REQUIRE(out.exit_code == 1);
  const auto f = failures(n.take_entries());
  REQUIRE(f.size() == 1);
  CHECK(f[0].kind == expected);
  CHECK_FALSE(f[0].reason.empty());
  CHECK(out.message.find(f[0].reason) != std::string::npos);
  REQUIRE_FALSE(n.cluster.reports.empty());
  CHECK(n.cluster.reports.back().state == "Degraded");
  CHECK(n.cluster.reports.back().reason == out.message);
}

}  // namespace

TEST_CASE("journal: a rejected signature is one VerifyRejected entry") {
  Node n;
  n.source.value = kTag;
  n.trust.rejected.insert(B);
  check_one_degraded_entry(n, n.pass(), MessageKind::VerifyRejected);
}

TEST_CASE("journal: a rollback is one RolledBack entry, staying degraded one Degraded entry") {
  Node n;
  n.source.value = kTag;
  REQUIRE(n.pass().exit_code == 0);
  n.restart(/*roll_back=*/true);
  (void)n.take_entries();
  check_one_degraded_entry(n, n.pass(), MessageKind::RolledBack);
  // The next passes end Degraded through the plan's Degraded step: each says so once.
  for (int i = 0; i < 2; ++i) {
    const PassOutcome again = n.pass();
    CHECK(again.last_step.kind == StepKind::Degraded);
    check_one_degraded_entry(n, again, MessageKind::Degraded);
  }
}

TEST_CASE("journal: a reboot that never happens ends in one Degraded entry") {
  Node n;
  n.source.value = kTag;
  for (int i = 0; i < kMaxRebootAttempts; ++i) REQUIRE(n.pass().exit_code == 0);
  (void)n.take_entries();
  const PassOutcome out = n.pass();
  CHECK(out.last_step.kind == StepKind::Degraded);
  check_one_degraded_entry(n, out, MessageKind::Degraded);
  CHECK(out.message.find("did not restart") != std::string::npos);
}

TEST_CASE("journal: a blocked drain is one DrainBlocked entry") {
  Node n;
  n.source.value = kTag;
  n.cluster.drain_error = make_error(ErrorKind::Degraded, "pod 'shop/db-0' blocked by PDB 'db'");
  check_one_degraded_entry(n, n.pass(), MessageKind::DrainBlocked);
}

TEST_CASE("journal: a Degraded error of another step uses the Degraded MESSAGE_ID") {
  Node n;
  n.source.value = kTag;
  n.source.error = make_error(ErrorKind::Degraded, "credentials refused (401)");
  const PassOutcome out = n.pass();
  check_one_degraded_entry(n, out, MessageKind::Degraded);
  CHECK(out.message == "Failed to read the desired image: credentials refused (401)");
}

TEST_CASE("journal: temporary and configuration failures have their own MESSAGE_ID") {
  Node n;
  n.source.value = kTag;
  n.host.stage_error = make_error(ErrorKind::Temporary, "Transaction in progress");
  REQUIRE(n.pass().exit_code == 75);
  auto f = failures(n.take_entries());
  REQUIRE(f.size() == 1);
  CHECK(f[0].kind == MessageKind::StageFailed);
  n.host.stage_error.reset();
  n.source.error = make_error(ErrorKind::Usage, "Failed to read '/etc/imageswitch/desired-image'");
  REQUIRE(n.pass().exit_code == 2);
  f = failures(n.take_entries());
  REQUIRE(f.size() == 1);
  CHECK(f[0].kind == MessageKind::ConfigError);
  n.source.error = make_error(ErrorKind::Temporary, "API server unreachable");
  REQUIRE(n.pass().exit_code == 75);
  f = failures(n.take_entries());
  REQUIRE(f.size() == 1);
  CHECK(f[0].kind == MessageKind::TemporaryFailure);
}

TEST_CASE("journal: a failed report when confirming is logged once") {
  Node n;
  n.source.value = kTag;
  REQUIRE(n.pass().exit_code == 0);
  n.restart();
  n.cluster.report_error = make_error(ErrorKind::Temporary, "API server unreachable");
  (void)n.take_entries();
  const PassOutcome out = n.pass();
  CHECK(out.exit_code == 75);
  int mentions = 0;
  for (const JournalEntry& e : n.take_entries())
    if (e.message.find("API server unreachable") != std::string::npos) ++mentions;
  CHECK(mentions == 1);
  CHECK(out.message == "Failed to report state to the cluster: API server unreachable");
}

TEST_CASE("journal: a pass that converges reports no failure") {
  Node n;
  n.source.value = kTag;
  REQUIRE(n.pass().exit_code == 0);
  n.restart();
  REQUIRE(n.pass().exit_code == 0);
  const auto entries = n.take_entries();
  std::set<MessageKind> kinds;
  for (const JournalEntry& e : entries) kinds.insert(e.kind);
  CHECK(failures(entries).empty());
  CHECK(kinds.count(MessageKind::UpdateDone) == 1);
  CHECK(kinds.count(MessageKind::Rebooting) == 1);
}

TEST_CASE("journal: a failure message never repeats its own prefix") {
  Node n;
  n.source.value = kTag;
  n.host.stage_error =
      make_error(ErrorKind::Temporary, "Failed to stage 'quay.io/ocp/os@" + B + "': busy");
  REQUIRE(n.pass().exit_code == 75);
  auto f = failures(n.take_entries());
  REQUIRE(f.size() == 1);
  CHECK(f[0].message == "Failed to stage 'quay.io/ocp/os@" + B + "': busy");
  n.host.stage_error = make_error(ErrorKind::Temporary, "busy");
  REQUIRE(n.pass().exit_code == 75);
  f = failures(n.take_entries());
  REQUIRE(f.size() == 1);
  CHECK(f[0].message == "Failed to stage 'quay.io/ocp/os@" + B + "': busy");
}
