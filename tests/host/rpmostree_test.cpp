// Integration tests of RpmOstreeBackend against fake_rpmostreed.py on a private dbus-daemon:
// reading deployments, staging, cleanup, and how daemon failures surface (table-driven).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "rpmostree_helpers.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

TEST_CASE("status reads the booted deployment and registers as a client") {
  for (const bool omit_digest : {false, true}) {
    CAPTURE(omit_digest);
    HostFixture f;
    const std::string booted = pinned_image('a');
    f.init_state(booted);
    if (omit_digest) write_text(f.faults, R"({"omit_digest": true})");
    REQUIRE(f.start_rpmostreed());
    {
      std::vector<std::string> lines;
      RpmOstreeBackend backend(quick(&f, lines));
      auto st = backend.status();
      REQUIRE_MESSAGE(st.ok(), st.error().message);
      REQUIRE(st->booted.has_value());
      CHECK(st->booted->image == booted);
      // Older daemons lack container-image-reference-digest: the pinned reference still tells.
      CHECK(st->booted->digest == digest_of('a'));
      CHECK(st->booted->checksum.size() == 64);
      CHECK(st->booted->osname == "rhcos");
      CHECK(st->booted->serial == 0);
      CHECK(st->booted->id == "rhcos-" + st->booted->checksum + ".0");
      CHECK_FALSE(st->staged.has_value());
    }
    const json s = state_of(f);
    CHECK(s["registered_clients"] == json::array({"imageswitch"}));
    CHECK(s.value("unregistered", 0) == 1);
  }
}

TEST_CASE("RegisterClient is retried once after NoReply") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  write_text(f.faults, R"({"no_reply_once": true})");
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(&f, lines));
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
  RpmOstreeBackend backend(quick(&f, lines));
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
  CHECK(st->staged->digest == digest_of('c'));
  CHECK(st->staged->image == target);
  CHECK(st->booted->digest == digest_of('a'));
}

TEST_CASE("stage refuses an unpinned reference") {
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(nullptr, lines));
  auto r = backend.stage("quay.io/x/y:latest");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Degraded);
}

TEST_CASE("daemon failures while staging are temporary, one line, and stage nothing") {
  struct Case {
    const char* name;
    const char* faults;
    std::chrono::milliseconds timeout;
    std::vector<std::string> want;  ///< substrings of the error message
  };
  const std::chrono::milliseconds normal = std::chrono::seconds(20);
  const Case cases[] = {
      {"Finished(false) carries the daemon's message",
       R"({"fail": "Fetching manifest: 503 Service Unavailable\n  (retry later)\n"})",
       normal,
       {"Failed to stage '" + pinned_image('c') + "'",
        "rpm-ostreed transaction failed: Fetching manifest: 503 Service Unavailable; "
        "(retry later)"}},
      {"a daemon crash before Finished",
       R"({"crash_before_finished": true})",
       normal,
       {"rpm-ostreed closed the transaction before it finished"}},
      {"a slow transaction is cancelled at the timeout",
       R"({"delay_s": 30})",
       std::chrono::milliseconds(700),
       {"did not finish within 700 ms"}},
      {"another client's transaction (G_IO_ERROR_BUSY)",
       R"({"busy": "rpm-ostree upgrade"})",
       normal,
       {"Transaction in progress: rpm-ostree upgrade"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    HostFixture f;
    f.init_state(pinned_image('a'));
    write_text(f.faults, c.faults);
    REQUIRE(f.start_rpmostreed());
    std::vector<std::string> lines;
    RpmOstreeBackend backend(quick(&f, lines, c.timeout));
    auto r = backend.stage(pinned_image('c'));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Temporary);
    for (const auto& want : c.want) CHECK_MESSAGE(contains(r.error().message, want), want);
    CHECK_FALSE(contains(r.error().message, "\n"));
    if (f.rpmostreed.running()) CHECK(state_of(f)["staged"].is_null());
  }
}

TEST_CASE("an absent daemon is a temporary failure with a clear message") {
  TempDir dir;
  PrivateBus bus(dir);
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(nullptr, lines));
  auto st = backend.status();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().kind == ErrorKind::Temporary);
  CHECK(contains(st.error().message, "Failed to register with rpm-ostreed"));
}

TEST_CASE("cleanup_staged removes the pending deployment") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(&f, lines));
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

TEST_CASE("library code does not log: without a progress callback nothing is printed") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  REQUIRE(f.start_rpmostreed());
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
  CHECK(read_text(captured).empty());
}
