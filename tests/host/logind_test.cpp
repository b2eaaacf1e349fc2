// Integration tests of the logind reboot (and the bootc backend's reboot) against fake_logind.py.
#include <doctest/doctest.h>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "bootc.h"
#include "bus_fixture.h"
#include "logind.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

TEST_CASE("CanReboot is read from logind") {
  HostFixture f;
  write_text(f.logind_state, R"({"can_reboot": "challenge"})");
  REQUIRE(f.start_logind());
  auto answer = logind_can_reboot();
  REQUIRE_MESSAGE(answer.ok(), answer.error().message);
  CHECK(*answer == "challenge");
}

TEST_CASE("logind_reboot calls Reboot(false) exactly once") {
  HostFixture f;
  write_text(f.logind_state, R"({"can_reboot": "yes"})");
  REQUIRE(f.start_logind());
  auto r = logind_reboot();
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  const json s = json::parse(read_text(f.logind_state));
  CHECK(s["reboots"] == json::array({{{"interactive", false}}}));
}

TEST_CASE("CanReboot 'na' or 'no' is a clear error and no reboot is requested") {
  for (const char* answer : {"na", "no"}) {
    HostFixture f;
    write_text(f.logind_state, std::string(R"({"can_reboot": ")") + answer + "\"}");
    REQUIRE(f.start_logind());
    auto r = logind_reboot();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Degraded);
    CHECK(r.error().message.find(std::string("CanReboot '") + answer + "'") != std::string::npos);
    CHECK_FALSE(json::parse(read_text(f.logind_state)).contains("reboots"));
  }
}

TEST_CASE("an absent logind is a temporary failure") {
  TempDir dir;
  PrivateBus bus(dir);
  auto r = logind_reboot();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  CHECK(r.error().message.find("systemd-logind") != std::string::npos);
}

/// A `bootc` symlink to the fake in `dir`, with `staged_digest` staged (or nothing when empty).
std::string fake_bootc(const TempDir& dir, const std::string& staged_digest) {
  const std::string exe = dir.file("bootc");
  REQUIRE(symlink((fakes_dir() + "/fake_bootc.py").c_str(), exe.c_str()) == 0);
  const std::string booted = "sha256:" + std::string(64, 'a');
  json s = {
      {"booted", {{"image", "quay.io/x/os@" + booted}, {"digest", booted}, {"checksum", "c0"}}},
      {"staged", nullptr}};
  if (!staged_digest.empty()) {
    s["staged"] = {
        {"image", "quay.io/x/os@" + staged_digest}, {"digest", staged_digest}, {"checksum", "c1"}};
  }
  write_text(dir.file("bootc-state.json"), s.dump());
  return exe;
}

TEST_CASE("the bootc backend reboots through logind into the staged deployment") {
  HostFixture f;
  write_text(f.logind_state, "{}");
  REQUIRE(f.start_logind());
  const std::string digest = "sha256:" + std::string(64, 'b');
  BootcBackend backend(BootcOptions{fake_bootc(f.dir, digest)});
  Deployment staged;
  staged.digest = digest;
  auto r = backend.reboot(staged);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(json::parse(read_text(f.logind_state))["reboots"].size() == 1);
}

TEST_CASE("the bootc backend refuses to reboot when another deployment is staged") {
  HostFixture f;
  write_text(f.logind_state, "{}");
  REQUIRE(f.start_logind());
  BootcBackend backend(BootcOptions{fake_bootc(f.dir, "sha256:" + std::string(64, 'c'))});
  Deployment staged;
  staged.digest = "sha256:" + std::string(64, 'b');
  auto r = backend.reboot(staged);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Degraded);
  CHECK(r.error().message.find("not rebooting") != std::string::npos);
  CHECK_FALSE(json::parse(read_text(f.logind_state)).contains("reboots"));
}
