// Integration tests of RpmOstreeBackend's finalize/reboot and kernel-argument sync against
// fake_rpmostreed.py in both daemon generations (pre-2025.7: FinalizeDeployment wants the base
// commit; 2025.7+: the image digest of a container deployment).
#include <doctest/doctest.h>

#include <algorithm>

#include "rpmostree_helpers.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

namespace {

/// The FinalizeDeployment "checksum" options the fake received, in order.
std::vector<std::string> finalize_checksums(const HostFixture& f) {
  std::vector<std::string> out;
  const json s = state_of(f);
  for (const auto& call : s["calls"]) {
    if (call["method"] == "FinalizeDeployment") out.push_back(call["args"]["options"]["checksum"]);
  }
  return out;
}

/// Gives image `c` (pinned_image(c)) the kargs.d `files` (name → TOML text).
void image_kargs(const HostFixture& f, char c, const json& files) {
  edit_state(f, [&](json& s) { s["image_kargs"][digest_of(c)] = files; });
}

}  // namespace

TEST_CASE("finalize, reboot and confirm in both daemon generations") {
  for (const std::string& generation : kGenerations) {
    CAPTURE(generation);
    HostFixture f;
    f.generation = generation;
    f.init_state(pinned_image('a'));
    REQUIRE(f.start_rpmostreed());
    std::vector<std::string> lines;
    std::string commit;
    {
      RpmOstreeBackend backend(quick(&f, lines));
      REQUIRE(backend.stage(pinned_image('d')).ok());
      auto st = backend.status();
      REQUIRE(st.ok());
      REQUIRE(st->staged.has_value());
      commit = st->staged->checksum;
      auto r = backend.reboot(*st->staged);
      REQUIRE_MESSAGE(r.ok(), r.error().message);
    }
    const json s = state_of(f);
    CHECK(s["reboot_requests"] == 1);
    CHECK(s["finalization_locked"] == false);
    // The digest first; an older daemon answers with our commit and gets exactly one retry.
    const std::vector<std::string> want = generation == "2025.7"
                                              ? std::vector<std::string>{digest_of('d')}
                                              : std::vector<std::string>{digest_of('d'), commit};
    CHECK(finalize_checksums(f) == want);
    for (const auto& call : s["calls"])
      CHECK_FALSE(call["args"].dump().find("allow-missing") != std::string::npos);
    f.rpmostreed.stop();  // the host goes down
    REQUIRE(f.simulate_reboot());
    REQUIRE(f.start_rpmostreed());
    RpmOstreeBackend after(quick(&f, lines));
    auto st = after.status();
    REQUIRE(st.ok());
    CHECK(st->booted->digest == digest_of('d'));
    CHECK_FALSE(st->staged.has_value());
    CHECK(state_of(f)["boots"] == 1);
  }
}

TEST_CASE("a refused finalize is Degraded, quotes the daemon and requests no reboot") {
  for (const std::string& generation : kGenerations) {
    CAPTURE(generation);
    HostFixture f;
    f.generation = generation;
    f.init_state(pinned_image('a'));
    REQUIRE(f.start_rpmostreed());
    std::vector<std::string> lines;
    RpmOstreeBackend backend(quick(&f, lines));
    REQUIRE(backend.stage(pinned_image('d')).ok());
    // What we believe is staged is not what the daemon has (someone else staged another image).
    Deployment ours = *backend.status()->staged;
    ours.checksum = std::string(64, '0');
    ours.digest = digest_of('9');
    auto r = backend.reboot(ours);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Degraded);
    CHECK(contains(r.error().message,
                   "rpm-ostreed refused: Expected staged base checksum " + digest_of('9')));
    CHECK(finalize_checksums(f).size() == 1);  // the answer named another commit: no retry
    CHECK(state_of(f)["reboot_requests"] == 0);
    CHECK(state_of(f)["finalization_locked"] == true);
  }
}

TEST_CASE("a busy daemon at finalize is temporary") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  RpmOstreeBackend backend(quick(&f, lines));
  REQUIRE(backend.stage(pinned_image('d')).ok());
  write_text(f.faults, R"({"busy": "rpm-ostree upgrade"})");
  auto r = backend.reboot(*backend.status()->staged);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  CHECK(contains(r.error().message, "Transaction in progress: rpm-ostree upgrade"));
  CHECK(state_of(f)["reboot_requests"] == 0);
}

TEST_CASE("an unrelated reboot drops a locked staged deployment") {
  HostFixture f;
  f.init_state(pinned_image('a'));
  REQUIRE(f.start_rpmostreed());
  std::vector<std::string> lines;
  {
    RpmOstreeBackend backend(quick(&f, lines));
    REQUIRE(backend.stage(pinned_image('d')).ok());
  }
  f.rpmostreed.stop();
  REQUIRE(f.simulate_reboot());
  REQUIRE(f.start_rpmostreed());
  RpmOstreeBackend after(quick(&f, lines));
  auto st = after.status();
  REQUIRE(st.ok());
  CHECK(st->booted->digest == digest_of('a'));
  CHECK_FALSE(st->staged.has_value());
}

TEST_CASE("kernel arguments from the image's kargs.d, idempotent, in both generations") {
  const json booted_files = {{"10-base.toml", R"(kargs = ["audit=0", "keep=1"])"}};
  const json image_files = {
      {"10-base.toml", R"(kargs = ["keep=1", "nosmt"])"},
      {"20-arm.toml", "kargs = [\"arm-only\"]\nmatch-architectures = [\"aarch64\"]"}};
  for (const std::string& generation : kGenerations) {
    CAPTURE(generation);
    HostFixture f;
    f.generation = generation;
    f.init_state(pinned_image('a'));
    image_kargs(f, 'a', booted_files);
    image_kargs(f, 'd', image_files);
    edit_state(f, [](json& s) { s["booted"]["kargs"] = "root=UUID=x rw audit=0 keep=1 admin=1"; });
    REQUIRE(f.start_rpmostreed());
    std::vector<std::string> lines;
    RpmOstreeBackend backend(quick(&f, lines));
    REQUIRE(backend.stage(pinned_image('d')).ok());
    const Deployment staged = *backend.status()->staged;
    auto k = backend.sync_kernel_args(staged);
    REQUIRE_MESSAGE(k.ok(), k.error().message);
    CHECK(k->added == std::vector<std::string>{"nosmt"});
    CHECK(k->removed == std::vector<std::string>{"audit=0"});
    CHECK(k->applied);
    json s = state_of(f);
    CHECK(s["staged"]["kargs"] == "root=UUID=x rw keep=1 admin=1 nosmt");
    CHECK(s["staged"]["checksum"] == staged.checksum);  // same commit, a new deployment
    CHECK(s["staged"]["serial"] == staged.serial + 1);
    CHECK(s["finalization_locked"] == true);
    CHECK(s["calls"].back()["args"]["options"]["append-if-missing"] == json::array({"nosmt"}));
    CHECK(s["calls"].back()["args"]["options"]["delete-if-present"] == json::array({"audit=0"}));
    CHECK(s["calls"].back()["args"]["options"]["reboot"] == false);
    // A second pass (after a crash, or the next trigger) changes nothing and calls nothing.
    const Deployment restaged = *backend.status()->staged;
    auto again = backend.sync_kernel_args(restaged);
    REQUIRE(again.ok());
    CHECK_FALSE(again->applied);
    const auto called = methods_called(f);
    CHECK(std::count(called.begin(), called.end(), "KernelArgs") == 1);
    REQUIRE(backend.reboot(restaged).ok());
    CHECK(state_of(f)["reboot_requests"] == 1);
  }
}

TEST_CASE("kernel arguments: nothing to do, bad files and a wrong sysroot") {
  struct Case {
    const char* name;
    json files;
    std::string sysroot_suffix;
    bool ok;
    ErrorKind kind;
    std::string want;
  };
  const Case cases[] = {
      {"no kargs.d at all", json::object(), "", true, ErrorKind::Temporary, ""},
      {"only another architecture's file",
       {{"10.toml", "kargs = [\"x\"]\nmatch-architectures = [\"s390x\"]"}},
       "",
       true,
       ErrorKind::Temporary,
       ""},
      {"invalid TOML",
       {{"10-bad.toml", "kargs = ["}},
       "",
       false,
       ErrorKind::Degraded,
       "10-bad.toml': not valid TOML"},
      {"kargs not a list of strings",
       {{"10-num.toml", "kargs = [1]"}},
       "",
       false,
       ErrorKind::Degraded,
       "10-num.toml': 'kargs' is not a list of strings"},
      {"sysroot without deployments", json::object(), "/elsewhere", false, ErrorKind::Usage,
       "check 'sysroot'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    HostFixture f;
    f.init_state(pinned_image('a'));
    image_kargs(f, 'd', c.files);
    REQUIRE(f.start_rpmostreed());
    std::vector<std::string> lines;
    RpmOstreeOptions o = quick(&f, lines);
    o.sysroot += c.sysroot_suffix;
    RpmOstreeBackend backend(o);
    REQUIRE(backend.stage(pinned_image('d')).ok());
    auto k = backend.sync_kernel_args(*backend.status()->staged);
    CHECK(k.ok() == c.ok);
    if (!k.ok()) {
      CHECK(k.error().kind == c.kind);
      CHECK_MESSAGE(contains(k.error().message, c.want), k.error().message);
    } else {
      CHECK_FALSE(k->applied);
      CHECK(k->added.empty());
    }
    const auto called = methods_called(f);
    CHECK(std::count(called.begin(), called.end(), "KernelArgs") == 0);
  }
}
