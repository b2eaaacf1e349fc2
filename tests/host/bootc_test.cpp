// bootc: parsing `bootc status --format=json`, and BootcBackend against fake_bootc.py.
#include <doctest/doctest.h>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "bootc.h"
#include "bus_fixture.h"
#include "rpmostree.h"
#include "wiring.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');

/// A BootcHost document like bootc 1.x prints, with `staged` possibly null.
std::string host_json(const std::string& staged_entry) {
  return R"({"apiVersion":"org.containers.bootc/v1","kind":"BootcHost","metadata":{"name":"host"},
    "spec":{"bootOrder":"default","image":{"image":"quay.io/x/os:latest","transport":"registry"}},
    "status":{"staged":)" +
         staged_entry + R"(,
      "booted":{"image":{"image":{"image":"quay.io/x/os:latest","transport":"registry"},
        "version":"9.6","timestamp":null,"imageDigest":")" +
         kA + R"(","architecture":"amd64"},
        "cachedUpdate":null,"incompatible":false,"pinned":false,"store":"ostreeContainer",
        "ostree":{"checksum":"c0ffee","deploySerial":0,"stateroot":"default"}},
      "rollback":null,"rollbackQueued":false,"type":"bootcHost"}})";
}

/// A temp dir holding a `bootc` symlink to the fake and its state file.
struct FakeBootc {
  TempDir dir;
  std::string exe = dir.file("bootc");
  std::string state = dir.file("bootc-state.json");
  explicit FakeBootc(const json& faults = json::object()) {
    REQUIRE(symlink((fakes_dir() + "/fake_bootc.py").c_str(), exe.c_str()) == 0);
    json s = {{"booted", {{"image", "quay.io/x/os@" + kA}, {"digest", kA}, {"checksum", "c0ffee"}}},
              {"staged", nullptr},
              {"faults", faults}};
    write_text(state, s.dump());
  }
  json read() const { return json::parse(read_text(state)); }
  BootcOptions options() const {
    BootcOptions o;
    o.executable = exe;
    o.status_timeout = 20s;
    o.switch_timeout = 20s;
    return o;
  }
};

}  // namespace

TEST_CASE("parse_bootc_status reads booted and staged") {
  auto st = parse_bootc_status(host_json(R"({"image":{"image":{"image":"quay.io/x/os@)" + kB +
                                         R"(","transport":"registry"},"imageDigest":")" + kB +
                                         R"(","architecture":"amd64"},"incompatible":false,
      "pinned":false,"ostree":{"checksum":"beef","deploySerial":1,"stateroot":"default"}})"));
  REQUIRE_MESSAGE(st.ok(), st.error().message);
  CHECK(st->booted->digest == kA);
  CHECK(st->booted->image == "quay.io/x/os:latest");
  CHECK(st->booted->checksum == "c0ffee");
  REQUIRE(st->staged.has_value());
  CHECK(st->staged->digest == kB);
  CHECK(st->staged->image == "quay.io/x/os@" + kB);
  CHECK(st->staged->id == "default-beef.1");
}

TEST_CASE("parse_bootc_status without a staged entry") {
  auto st = parse_bootc_status(host_json("null"));
  REQUIRE(st.ok());
  CHECK_FALSE(st->staged.has_value());
}

TEST_CASE("parse_bootc_status rejects bad documents clearly") {
  auto bad = parse_bootc_status("not json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        "Failed to parse 'bootc status --format=json' output: not valid JSON");
  CHECK(bad.error().kind == ErrorKind::Temporary);
  auto array = parse_bootc_status("[]");
  REQUIRE_FALSE(array.ok());
  CHECK(array.error().message.find("not a JSON object") != std::string::npos);
  auto twice = parse_bootc_status(R"({"kind":"BootcHost","kind":"BootcHost"})");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message.find("duplicate key 'kind'") != std::string::npos);
  auto kind = parse_bootc_status(R"({"apiVersion":"v1","kind":"Pod"})");
  REQUIRE_FALSE(kind.ok());
  CHECK(kind.error().message.find("'Pod'") != std::string::npos);
  auto nobooted = parse_bootc_status(
      R"({"apiVersion":"org.containers.bootc/v1","kind":"BootcHost","status":{"booted":null}})");
  REQUIRE_FALSE(nobooted.ok());
  CHECK(nobooted.error().kind == ErrorKind::Degraded);
  CHECK(nobooted.error().message.find("not bootc-compatible") != std::string::npos);
}

TEST_CASE("BootcBackend reads status from the fake bootc with a clean environment") {
  FakeBootc fake;
  setenv("IMAGESWITCH_SECRET_ENV", "must-not-leak", 1);
  BootcBackend backend(fake.options());
  auto st = backend.status();
  REQUIRE_MESSAGE(st.ok(), st.error().message);
  CHECK(st->booted->digest == kA);
  CHECK(st->booted->image == "quay.io/x/os@" + kA);
  CHECK_FALSE(st->staged.has_value());
  CHECK(fake.read()["calls"].back() == json::array({"status", "--format=json"}));
  const json env = fake.read()["env"];
  CHECK(env == json({{"PATH", "/usr/sbin:/usr/bin"}, {"LANG", "C.UTF-8"}}));
}

TEST_CASE("BootcBackend stages with bootc switch and no --apply") {
  FakeBootc fake;
  BootcBackend backend(fake.options());
  const std::string target = "quay.io/x/os@" + kB;
  auto r = backend.stage(target);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(fake.read()["calls"].back() == json::array({"switch", target}));
  auto st = backend.status();
  REQUIRE(st.ok());
  REQUIRE(st->staged.has_value());
  CHECK(st->staged->digest == kB);
  CHECK(backend.cleanup_staged().ok());  // documented no-op
}

TEST_CASE("a bootc failure carries the tail of its stderr") {
  FakeBootc fake(json{{"fail", "pulling image: 401 Unauthorized"}, {"stderr_bytes", 4000}});
  BootcBackend backend(fake.options());
  auto r = backend.stage("quay.io/x/os@" + kB);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  const std::string& m = r.error().message;
  CHECK(m.find("Failed to stage 'quay.io/x/os@" + kB + "': bootc exited with status 1: ") == 0);
  CHECK(m.find("error: pulling image: 401 Unauthorized") != std::string::npos);
  CHECK(m.size() < 700);  // only the tail, not 4000 bytes of noise
}

TEST_CASE("a hanging bootc is killed at the timeout") {
  FakeBootc fake(json{{"sleep_s", 30}});
  BootcOptions o = fake.options();
  o.status_timeout = 300ms;
  BootcBackend backend(o);
  const auto start = std::chrono::steady_clock::now();
  auto r = backend.status();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("bootc did not finish within 300 ms and was killed") !=
        std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < 10s);
}

TEST_CASE("a missing bootc executable is a clear error") {
  BootcOptions o;
  o.executable = "/nonexistent/bootc";
  BootcBackend backend(o);
  auto r = backend.status();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message ==
        "Failed to read the bootc status: Failed to run '/nonexistent/bootc': No such file or "
        "directory");
}

TEST_CASE("make_host_backend picks bootc and honours IMAGESWITCH_BOOTC") {
  FakeBootc fake;
  setenv("IMAGESWITCH_BOOTC", fake.exe.c_str(), 1);
  Settings settings;
  settings.backend = "bootc";
  auto backend = make_host_backend(settings);
  REQUIRE(backend != nullptr);
  auto st = backend->status();
  unsetenv("IMAGESWITCH_BOOTC");
  REQUIRE_MESSAGE(st.ok(), st.error().message);
  CHECK(st->booted->digest == kA);
  settings.backend = "rpm-ostree";
  CHECK(dynamic_cast<RpmOstreeBackend*>(make_host_backend(settings).get()) != nullptr);
  settings.backend = "yum";
  CHECK(make_host_backend(settings) == nullptr);
}
