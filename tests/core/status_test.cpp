// status: the snapshot `status` shows (fresh look + last pass) and status.json round trips.
#include "status.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include "temp_dir.h"

using namespace imageswitch;
namespace fs = std::filesystem;

namespace {

const std::string kB = "quay.io/ocp/os@sha256:" + std::string(64, 'b');

/// A look at a node running kB with nothing staged and `desired` desired.
NodeLook look_at(std::string desired) {
  HostStatus host;
  host.booted = Deployment{"0", "abc", kB, "sha256:" + std::string(64, 'b')};
  return NodeLook{LoadedState{}, Result<std::string>(std::move(desired)), Result<HostStatus>(host),
                  "boot-1", true};
}

struct RuntimeDir {
  testing::TempDir tmp{"status"};
  Settings settings = with_runtime_dir(tmp.path());
  static Settings with_runtime_dir(const std::string& dir) {
    Settings s;
    s.runtime_dir = dir;
    return s;
  }
};

}  // namespace

TEST_CASE("status: status.json round-trips through read_status") {
  RuntimeDir d;
  CHECK_FALSE(read_status(d.settings).has_value());
  StatusSnapshot s;
  s.phase = "rebooting";
  s.desired = "quay.io/ocp/os:4.18";
  s.next = "reboot requested";
  s.step = "reboot";
  s.exit_code = 0;
  s.updated_at = 1234;
  REQUIRE(write_status(d.settings, s).ok());
  auto back = read_status(d.settings);
  REQUIRE(back.has_value());
  CHECK(back->phase == "rebooting");
  CHECK(back->desired == s.desired);
  CHECK(back->next == s.next);
  CHECK(back->step == "reboot");
  CHECK(back->updated_at == 1234);
  CHECK(status_json(s).find("last_pass") == std::string::npos);
}

TEST_CASE("status: an unwritable runtime directory is an error, not a log line") {
  RuntimeDir d;
  Settings s = d.settings;
  s.runtime_dir += "/file";
  std::FILE* f = std::fopen(s.runtime_dir.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fclose(f);
  CHECK_FALSE(write_status(s, StatusSnapshot{}).ok());
}

TEST_CASE("status: the fresh look plus the last pass's outcome") {
  StatusSnapshot last;
  last.desired = "quay.io/ocp/os:4.19";
  last.exit_code = 1;
  last.step = "verify";
  last.next = "no valid signature";
  const Step next{StepKind::Resolve, "resolving quay.io/ocp/os:4.19 to a digest", ""};
  const StatusSnapshot s = status_now(look_at("quay.io/ocp/os:4.19"), next, last);
  CHECK(s.booted == kB);
  CHECK(s.staged.empty());
  CHECK(s.step == "resolve");
  CHECK(s.exit_code == 1);  // the last pass for this very desired image was Degraded
  CHECK(state_word(s) == "Degraded");
  REQUIRE(s.last_pass.has_value());
  CHECK(status_text(s).find("Last pass:  exit 1 at step verify: no valid signature") !=
        std::string::npos);
  CHECK(status_json(s).find("\"last_pass\"") != std::string::npos);
  // A new desired image: the old failure is history, not the current state.
  const StatusSnapshot other = status_now(look_at("quay.io/ocp/os:4.20"), next, last);
  CHECK(other.exit_code == 0);
  CHECK(state_word(other) == "Working");
}

TEST_CASE("status: parts that could not be read say why") {
  NodeLook look = look_at("");
  look.host = make_error(ErrorKind::Temporary, "rpm-ostreed is not running");
  look.desired = make_error(ErrorKind::Temporary, "API server unreachable");
  const StatusSnapshot s = status_now(look, Step{}, std::nullopt);
  CHECK(s.booted == "unknown (rpm-ostreed is not running)");
  CHECK(s.desired == "unknown (API server unreachable)");
  CHECK_FALSE(s.last_pass.has_value());
  CHECK(status_text(s).find("Last pass") == std::string::npos);
  REQUIRE(observe_error(look).has_value());
  CHECK(observe_error(look)->message == "Failed to read the desired image: API server unreachable");
}
