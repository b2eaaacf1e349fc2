// Unit tests of kargs.d parsing (bootc's format) and of the KernelArgs edit planning.
#include <doctest/doctest.h>

#include <filesystem>

#include "bus_fixture.h"
#include "kargs_d.h"
#include "kargs_step.h"
#include "rpmostree.h"

using namespace imageswitch;
using namespace imageswitch::testing;

namespace {

using Strings = std::vector<std::string>;

std::string error_of(const std::string& text) {
  auto r = parse_kargs_file(text, "/d/10-x.toml", "x86_64");
  return r ? std::string("ok") : r.error().message;
}

}  // namespace

TEST_CASE("kargs.d: a file's kargs, filtered by match-architectures") {
  struct Case {
    const char* text;
    Strings want;
  };
  const Case cases[] = {
      {R"(kargs = ["nosmt", "console=ttyS0,115200n8"])", {"nosmt", "console=ttyS0,115200n8"}},
      {"kargs = []", {}},
      {R"(kargs = ["a"]
match-architectures = ["x86_64", "aarch64"])",
       {"a"}},
      {R"(kargs = ["a"]
match-architectures = ["s390x"])",
       {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto r = parse_kargs_file(c.text, "10-x.toml", "x86_64");
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    CHECK(*r == c.want);
  }
}

TEST_CASE("kargs.d: bad files are Degraded errors naming the file") {
  CHECK(
      error_of("kargs = [").find("Invalid kernel arguments file '/d/10-x.toml': not valid TOML") ==
      0);
  CHECK(error_of("kargs = \"nosmt\"").find("'kargs' is not a list of strings") !=
        std::string::npos);
  CHECK(error_of("kargs = [1]").find("'kargs' is not a list of strings") != std::string::npos);
  CHECK(error_of("match-architectures = [\"x86_64\"]").find("no 'kargs' list") !=
        std::string::npos);
  CHECK(error_of("kargs = []\nkarg = []").find("unknown key 'karg'") != std::string::npos);
  CHECK(parse_kargs_file("kargs = [", "f", "x86_64").error().kind == ErrorKind::Degraded);
}

TEST_CASE("kargs.d: a directory is read in lexical order, *.toml only; none when absent") {
  TempDir dir;
  const std::string d = dir.file("kargs.d");
  std::filesystem::create_directories(d);
  write_text(d + "/20-b.toml", R"(kargs = ["b"])");
  write_text(d + "/10-a.toml", R"(kargs = ["a1", "a2"])");
  write_text(d + "/30-c.toml.disabled", R"(kargs = ["c"])");
  write_text(d + "/15-arm.toml", "kargs = [\"arm\"]\nmatch-architectures = [\"aarch64\"]");
  auto r = read_kargs_dir(d, "x86_64");
  REQUIRE(r.ok());
  CHECK(*r == Strings{"a1", "a2", "b"});
  auto arm = read_kargs_dir(d, "aarch64");
  REQUIRE(arm.ok());
  CHECK(*arm == Strings{"a1", "a2", "arm", "b"});
  auto none = read_kargs_dir(dir.file("missing"), "x86_64");
  REQUIRE(none.ok());
  CHECK(none->empty());
  write_text(d + "/40-bad.toml", "kargs = [");
  auto bad = read_kargs_dir(d, "x86_64");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find(d + "/40-bad.toml") != std::string::npos);
}

TEST_CASE("kargs.d: architecture names and deployment directories") {
  CHECK(rust_arch("amd64") == "x86_64");
  CHECK(rust_arch("arm64") == "aarch64");
  CHECK(rust_arch("ppc64le") == "powerpc64le");
  CHECK(rust_arch("s390x") == "s390x");
  Deployment d;
  d.osname = "rhcos";
  d.checksum = "abc";
  d.serial = 2;
  CHECK(deployment_dir("/", d) == "/ostree/deploy/rhcos/deploy/abc.2");
  CHECK(deployment_dir("/sysroot/", d) == "/sysroot/ostree/deploy/rhcos/deploy/abc.2");
}

TEST_CASE("kargs: set difference and the idempotent KernelArgs edit") {
  CHECK(kargs_minus({"a", "b", "a", "c"}, {"b"}) == Strings{"a", "c"});
  CHECK(split_cmdline("  root=UUID=x  rw quiet=\"a b\"\n") ==
        Strings{"root=UUID=x", "rw", "quiet=\"a b\""});
  KargsChange change;
  change.added = {"nosmt", "hugepages=4"};
  change.removed = {"mitigations=off", "audit=0"};
  KargsEdit edit = plan_kargs_edit("root=x rw nosmt mitigations=off", change);
  CHECK(edit.append == Strings{"hugepages=4"});
  CHECK(edit.remove == Strings{"mitigations=off"});
  // Once applied, the same change asks for nothing (a crash after KernelArgs converges).
  CHECK(plan_kargs_edit("root=x rw nosmt hugepages=4", change).empty());
  CHECK(describe_kargs(change) == "+nosmt +hugepages=4 -mitigations=off -audit=0");
  CHECK(describe_kargs(KargsChange{}).empty());
}

TEST_CASE("finalize: the daemon's checksum answer and its refusals") {
  const std::string mismatch =
      "rpm-ostreed transaction failed: Expected staged base checksum sha256:aa, but found 0123";
  CHECK(finalize_found_checksum(mismatch) == "0123");
  CHECK(finalize_found_checksum("Expected staged base checksum x, but found y; more") == "y");
  CHECK(finalize_found_checksum("Transaction in progress: x").empty());
  CHECK(finalize_refused(mismatch));
  CHECK(finalize_refused("Staged deployment already unlocked"));
  CHECK(finalize_refused("Missing expected checksum"));
  CHECK_FALSE(finalize_refused("Reboot blocked by a systemd inhibitor lock in `block` mode"));
  CHECK_FALSE(finalize_refused("No pending staged deployment found"));
  CHECK_FALSE(finalize_refused("rpm-ostreed closed the transaction before it finished"));
}
