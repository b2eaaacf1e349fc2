// Integration tests of RpmOstreeBackend against fake_rpmostreed.py on a private dbus-daemon.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "bus_fixture.h"
#include "rpmostree.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

namespace {

json state_of(const HostFixture& f) {
  return json::parse(read_text(f.state));
}

/// Options with short timeouts and progress collected into `lines`.
RpmOstreeOptions quick(std::vector<std::string>& lines,
                       std::chrono::milliseconds txn = std::chrono::seconds(20)) {
  RpmOstreeOptions o;
  o.transaction_timeout = txn;
  o.call_timeout = std::chrono::seconds(10);
  o.on_progress = [&lines](const std::string& line) { lines.push_back(line); };
  return o;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("status reads the booted deployment and registers as a client") {
  HostFixture f;
  const std::string booted = pinned_image('a');
  f.init_state(booted);
  REQUIRE(f.start_rpmostreed());
  {
    std::vector<std::string> lines;
    RpmOstreeBackend backend(quick(lines));
    auto st = backend.status();
    REQUIRE_MESSAGE(st.ok(), st.error().message);
    REQUIRE(st->booted.has_value());
    CHECK(st->booted->image == booted);
    CHECK(st->booted->digest == "sha256:" + std::string(64, 'a'));
    CHECK(st->booted->checksum.size() == 64);
    CHECK(st->booted->id.rfind("rhcos-", 0) == 0);
    CHECK_FALSE(st->staged.has_value());
  }
  const json s = state_of(f);
  CHECK(s["registered_clients"] == json::array({"imageswitch"}));
  CHECK(s.value("unregistered", 0) == 1);
}

TEST_CASE("status falls back to the digest inside the reference on older daemons") {
  HostFixture f;
  f.init_state(pinned_image('b'));
  write_text(f.faults, R"({"omit_digest": true})");
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  auto st = backend.status();
  REQUIRE_MESSAGE(st.ok(), st.error().message);
  CHECK(st->booted->digest == "sha256:" + std::string(64, 'b'));
}

TEST_CASE("RegisterClient is retried once after NoReply") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  write_text(f.faults, R"({"no_reply_once": true})");
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  auto st = backend.status();
  REQUIRE_MESSAGE(st.ok(), st.error().message);
  CHECK(state_of(f)["registered_clients"].size() == 1);
}

TEST_CASE("stage rebases with lock-finalization and relays throttled progress") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  write_text(f.faults, R"({"progress_steps": 100})");
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  const std::string target = pinned_image('c');
  auto staged = backend.stage(target);
  REQUIRE_MESSAGE(staged.ok(), staged.error().message);

  const json s = state_of(f);
  const json& call = s["calls"].back();
  CHECK(call["method"] == "Rebase");
  CHECK(call["args"]["refspec"] == "ostree-unverified-registry:" + target);
  CHECK(call["args"]["options"] == json({{"reboot", false},
                                         {"lock-finalization", true},
                                         {"initiating-command-line", "imageswitch run"}}));
  CHECK(s["finalization_locked"] == true);

  int percent_lines = 0;
  for (const auto& l : lines) percent_lines += contains(l, "Importing layers") ? 1 : 0;
  CHECK(percent_lines >= 10);  // 0, 10, …, 100 of 101 signals
  CHECK(percent_lines <= 12);
  CHECK(std::find(lines.begin(), lines.end(), "Importing layers 100%") != lines.end());

  auto st = backend.status();
  REQUIRE(st.ok());
  REQUIRE(st->staged.has_value());
  CHECK(st->staged->digest == "sha256:" + std::string(64, 'c'));
  CHECK(st->staged->image == target);
  CHECK(st->booted->digest == "sha256:" + std::string(64, 'a'));
}

TEST_CASE("stage refuses an unpinned reference") {
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  auto r = backend.stage("quay.io/x/y:latest");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Degraded);
}

TEST_CASE("Finished(false) surfaces the daemon's message") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  write_text(f.faults,
             R"({"fail": "Fetching manifest: 503 Service Unavailable\n  (retry later)\n"})");
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  auto r = backend.stage(pinned_image('c'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  CHECK(contains(r.error().message,
                 "rpm-ostreed transaction failed: Fetching manifest: 503 Service Unavailable; "
                 "(retry later)"));
  CHECK_FALSE(contains(r.error().message, "\n"));
  CHECK(contains(r.error().message, "Failed to stage '" + pinned_image('c') + "'"));
  CHECK(state_of(f)["staged"].is_null());
}

TEST_CASE("a daemon crash before Finished is a failure") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  write_text(f.faults, R"({"crash_before_finished": true})");
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  auto r = backend.stage(pinned_image('c'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  CHECK(contains(r.error().message, "rpm-ostreed closed the transaction before it finished"));
}

TEST_CASE("a slow transaction hits the timeout and is cancelled") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  write_text(f.faults, R"({"delay_s": 30})");
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines, std::chrono::milliseconds(700)));
  const auto start = std::chrono::steady_clock::now();
  auto r = backend.stage(pinned_image('c'));
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  CHECK(contains(r.error().message, "did not finish within 700 ms"));
  CHECK(took < std::chrono::seconds(10));
  CHECK(state_of(f)["staged"].is_null());  // cancelled: the work never ran
}

TEST_CASE("another transaction in progress is a temporary failure naming it") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  write_text(f.faults, R"({"busy": "rpm-ostree upgrade"})");
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  auto r = backend.stage(pinned_image('c'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  CHECK(contains(r.error().message, "Transaction in progress: rpm-ostree upgrade"));
  CHECK_FALSE(contains(r.error().message, "\n"));
}

TEST_CASE("an absent daemon is a temporary failure with a clear message") {
  TempDir dir;
  PrivateBus bus(dir);
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  auto st = backend.status();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().kind == ErrorKind::Temporary);
  CHECK(contains(st.error().message, "Failed to register with rpm-ostreed"));
  CHECK(contains(st.error().message, "rpm-ostreed"));
}

TEST_CASE("cleanup_staged removes the pending deployment") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  REQUIRE(backend.stage(pinned_image('c')).ok());
  REQUIRE(backend.status()->staged.has_value());
  auto r = backend.cleanup_staged();
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  auto st = backend.status();
  REQUIRE(st.ok());
  CHECK_FALSE(st->staged.has_value());
  const json s = state_of(f);
  CHECK(s["calls"].back()["method"] == "Cleanup");
  CHECK(s["calls"].back()["args"]["elements"] == json::array({"pending-deploy"}));
}

TEST_CASE("finalize, reboot and confirm: the simulated round trip") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  {
    RpmOstreeBackend backend(quick(lines));
    REQUIRE(backend.stage(pinned_image('d')).ok());
    auto st = backend.status();
    REQUIRE(st.ok());
    REQUIRE(st->staged.has_value());
    auto r = backend.reboot(*st->staged);
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    const json s = state_of(f);
    CHECK(s["reboot_requests"] == 1);
    CHECK(s["finalization_locked"] == false);
    CHECK(s["calls"].back()["args"]["options"]["checksum"] == st->staged->checksum);
  }
  f.rpmostreed.stop();  // the host goes down
  REQUIRE(f.simulate_reboot());
  REQUIRE(f.start_rpmostreed());
  RpmOstreeBackend after(quick(lines));
  auto st = after.status();
  REQUIRE(st.ok());
  CHECK(st->booted->digest == "sha256:" + std::string(64, 'd'));
  CHECK_FALSE(st->staged.has_value());
  CHECK(state_of(f)["reboot_requests"] == 1);
  CHECK(state_of(f)["boots"] == 1);
}

TEST_CASE("an unrelated reboot drops a locked staged deployment") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  {
    RpmOstreeBackend backend(quick(lines));
    REQUIRE(backend.stage(pinned_image('d')).ok());
  }
  f.rpmostreed.stop();
  REQUIRE(f.simulate_reboot());
  REQUIRE(f.start_rpmostreed());
  RpmOstreeBackend after(quick(lines));
  auto st = after.status();
  REQUIRE(st.ok());
  CHECK(st->booted->digest == "sha256:" + std::string(64, 'a'));
  CHECK_FALSE(st->staged.has_value());
}

TEST_CASE("reboot with a checksum that is not the staged one is refused") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(lines));
  REQUIRE(backend.stage(pinned_image('d')).ok());
  Deployment wrong;
  wrong.checksum = std::string(64, '0');
  auto r = backend.reboot(wrong);
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error().message, "Expected staged base checksum"));
  CHECK(state_of(f)["reboot_requests"] == 0);
}

TEST_CASE("without a progress callback the transaction progress goes to the journal") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  REQUIRE(f.start_rpmostreed());
  setenv("IMAGESWITCH_LOG", "stderr", 1);  // journal.h: the same lines on stderr
  const std::string captured = f.dir.file("stderr.txt");
  const int saved = dup(2);
  const int fd = open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  dup2(fd, 2);
  close(fd);
  Result<void> r;
  {
    RpmOstreeOptions o;
    o.transaction_timeout = std::chrono::seconds(20);
    RpmOstreeBackend backend(o);
    r = backend.stage(pinned_image('c'));
  }
  dup2(saved, 2);
  close(saved);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  const std::string text = read_text(captured);
  CHECK(contains(text, "imageswitch: Importing layers 100%"));
  CHECK(contains(text, "imageswitch: imageswitch run (ostree-unverified-registry:"));
}
