// Persisted state: round trip, atomic replacement, and corrupt or truncated files.
#include "state.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>
#include "temp_dir.h"

using imageswitch::testing::TempDir;

using namespace imageswitch;
namespace fs = std::filesystem;

namespace {

State sample() {
  State s;
  s.phase = Phase::Draining;
  s.desired = "quay.io/ocp/os:4.18";
  s.target_digest = "sha256:" + std::string(64, 'b');
  s.target_image = "quay.io/ocp/os@" + s.target_digest;
  s.cordon_recorded = true;
  s.we_cordoned = true;
  s.gate_held = true;
  s.reboot_boot_id = "b1";
  s.reboot_attempts = 2;
  s.failed_digest = "sha256:" + std::string(64, 'c');
  s.last_error = "Failed to drain: pod 'a/b' blocked by PDB 'x'";
  s.changed_at = 1700000000;
  return s;
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("state: serialize and parse round trip every field") {
  const State s = sample();
  auto r = parse_state(serialize_state(s));
  REQUIRE(r.ok());
  CHECK(r->phase == s.phase);
  CHECK(r->desired == s.desired);
  CHECK(r->target_digest == s.target_digest);
  CHECK(r->target_image == s.target_image);
  CHECK(r->cordon_recorded == s.cordon_recorded);
  CHECK(r->we_cordoned == s.we_cordoned);
  CHECK(r->gate_held == s.gate_held);
  CHECK(r->reboot_boot_id == s.reboot_boot_id);
  CHECK(r->reboot_attempts == s.reboot_attempts);
  CHECK(r->failed_digest == s.failed_digest);
  CHECK(r->last_error == s.last_error);
  CHECK(r->changed_at == s.changed_at);
}

TEST_CASE("state: phase names round trip") {
  for (Phase p : {Phase::Idle, Phase::Staging, Phase::Staged, Phase::Gated, Phase::Draining,
                  Phase::Rebooting, Phase::Done, Phase::Degraded}) {
    auto back = parse_phase(phase_name(p));
    REQUIRE(back.has_value());
    CHECK(*back == p);
  }
  CHECK_FALSE(parse_phase("rebooted").has_value());
}

TEST_CASE("state: save then load") {
  TempDir dir;
  REQUIRE(save_state(dir.path(), sample()).ok());
  LoadedState loaded = load_state(dir.path());
  CHECK(loaded.warning.empty());
  CHECK(loaded.state.phase == Phase::Draining);
  CHECK(loaded.state.last_error == sample().last_error);
  struct stat st {};
  REQUIRE(stat((dir.path() + "/state.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // No temporary file is left behind (state.json, plus failed-digest when a digest failed).
  int files = 0;
  for (auto& e : fs::directory_iterator(dir.path())) files += e.is_regular_file() ? 1 : 0;
  CHECK(files == (sample().failed_digest.empty() ? 1 : 2));
}

TEST_CASE("state: missing file is no state and no warning") {
  TempDir dir;
  LoadedState loaded = load_state(dir.path());
  CHECK(loaded.warning.empty());
  CHECK(loaded.state.phase == Phase::Idle);
}

TEST_CASE("state: corrupt or truncated files are no state plus a warning") {
  TempDir dir;
  const std::string path = dir.path() + "/state.json";
  const std::string good = serialize_state(sample());
  const std::vector<std::string> bad = {
      "",
      good.substr(0, good.size() / 2),  // truncated by power loss
      std::string(100, '\0'),           // zero-filled block
      "[]",
      "{\"version\": 2}",
      "{\"version\": 1, \"phase\": \"exploding\"}",
      "{\"version\": 1, \"phase\": \"staged\", \"desired\": \"x\", \"target_digest\": \"\", "
      "\"target_image\": \"\", \"cordon_recorded\": false, \"we_cordoned\": false, \"gate_held\": "
      "false, \"reboot_boot_id\": \"\", \"reboot_attempts\": 0, \"failed_digest\": \"\", "
      "\"last_error\": \"\", \"changed_at\": 0}",
      "{\"version\": 1, \"phase\": \"idle\", \"we_cordoned\": \"yes\"}",
  };
  for (const std::string& text : bad) {
    CAPTURE(text.size());
    write(path, text);
    LoadedState loaded = load_state(dir.path());
    CHECK(loaded.state.phase == Phase::Idle);
    CHECK(loaded.state.target_digest.empty());
    CHECK(loaded.warning.find(path) != std::string::npos);
  }
}

TEST_CASE("state: a directory in the way or an unwritable directory is an error, not a crash") {
  TempDir dir;
  REQUIRE(mkdir((dir.path() + "/state.json").c_str(), 0700) == 0);
  LoadedState loaded = load_state(dir.path());
  CHECK(loaded.state.phase == Phase::Idle);
  CHECK_FALSE(loaded.warning.empty());
  auto saved = save_state(dir.path(), sample());
  REQUIRE_FALSE(saved.ok());
  CHECK(saved.error().message.find("Failed to save state") == 0);
}
