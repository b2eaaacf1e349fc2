// Hostile input (issue 14, items 6, 7, 11, 12): text from outside is made valid, one-line,
// bounded UTF-8; persisting and printing never throw; the failed digest survives a lost
// state.json; state and runtime directories are private and never written through a link.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "desired_file.h"
#include "fileutil.h"
#include "state.h"
#include "status.h"
#include "temp_dir.h"
#include "test_files.h"
#include "text.h"

using imageswitch::testing::slurp;
using imageswitch::testing::TempDir;

using namespace imageswitch;

namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');
const std::string kBad =
    "bad \xff\xfe utf-8 \xc0\xaf \xed\xa0\x80 \x1b[31m red \xc2\x9b"
    "2J\nnext";

}  // namespace

TEST_CASE("printable: valid, one line, no control characters, bounded") {
  const std::string p = printable(kBad);
  CHECK(is_valid_utf8(p));
  CHECK_FALSE(is_valid_utf8(kBad));
  CHECK(p.find('\x1b') == std::string::npos);
  CHECK(p.find('\n') == std::string::npos);
  CHECK(p.find("\\x1b[31m") != std::string::npos);
  CHECK(p.find("\\u009b2J") != std::string::npos);
  CHECK(p.find("\xEF\xBF\xBD") != std::string::npos);
  CHECK(printable("quay.io/ocp/release:4.18 ✓") == "quay.io/ocp/release:4.18 ✓");
  const std::string cut = printable(std::string(3000, 'x') + "é", 1024);
  CHECK(cut.size() <= 1024);
  CHECK(cut.substr(cut.size() - 3) == "\xE2\x80\xA6");
  const std::string multibyte = printable(std::string(600, '\xC3'), 64);  // invalid lead bytes
  CHECK(is_valid_utf8(multibyte));
  CHECK(multibyte.size() <= 64);
  const std::string accents = printable(
      [] {
        std::string s;
        for (int i = 0; i < 700; ++i) s += "é";
        return s;
      }(),
      1024);
  CHECK(is_valid_utf8(accents));  // cut at a character boundary
  CHECK(wrap_once("Failed to resolve 'x'",
                  make_error(ErrorKind::Temporary, "Failed to resolve 'x': boom"))
            .message == "Failed to resolve 'x': boom");
}

TEST_CASE("state: invalid UTF-8 and huge errors are stored bounded, never throw") {
  TempDir d;
  State s;
  s.phase = Phase::Staging;
  s.desired = "quay.io/a/b:v1";
  s.target_digest = kDigest;
  s.last_error = kBad + std::string(200000, 'e');
  s.reboot_boot_id = kBad;
  std::string text;
  CHECK_NOTHROW(text = serialize_state(s));
  CHECK(text.size() < kMaxStateFile);
  REQUIRE(save_state(d.path(), s).ok());
  LoadedState back = load_state(d.path());
  CHECK(back.warning.empty());
  CHECK(back.state.phase == Phase::Staging);
  CHECK(back.state.last_error.size() <= kMaxStoredText);
  CHECK(is_valid_utf8(back.state.last_error));
  CHECK(back.state.last_error.find('\n') == std::string::npos);
}

TEST_CASE("the failed digest survives a lost or corrupt state.json") {
  TempDir d;
  State s;
  s.phase = Phase::Degraded;
  s.desired = "quay.io/a/b:v1";
  s.target_digest = kDigest;
  s.failed_digest = kDigest;
  s.last_error = "rolled back";
  REQUIRE(save_state(d.path(), s).ok());
  std::ofstream(d.path() + "/state.json") << "{\"version\":1,\"phase\":";  // truncated
  LoadedState corrupt = load_state(d.path());
  CHECK_FALSE(corrupt.warning.empty());
  CHECK(corrupt.state.phase == Phase::Degraded);
  CHECK(corrupt.state.failed_digest == kDigest);
  CHECK(corrupt.state.desired == "quay.io/a/b:v1");
  std::filesystem::remove(d.path() + "/state.json");
  LoadedState lost = load_state(d.path());
  CHECK(lost.state.failed_digest == kDigest);
  CHECK(lost.state.phase == Phase::Degraded);
  // a new desired image that converges clears it
  State fresh;
  fresh.phase = Phase::Done;
  REQUIRE(save_state(d.path(), fresh).ok());
  CHECK_FALSE(std::filesystem::exists(d.path() + "/failed-digest"));
  std::filesystem::remove(d.path() + "/state.json");
  CHECK(load_state(d.path()).state.failed_digest.empty());
}

TEST_CASE("status: --json never throws, text escapes control characters") {
  StatusSnapshot s;
  s.phase = "degraded";
  s.desired = kBad;
  s.last_error = kBad;
  s.booted = "\x1b]0;owned\x07";
  std::string json;
  CHECK_NOTHROW(json = status_json(s));
  CHECK(json.find("\"desired\"") != std::string::npos);
  const std::string text = status_text(s);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\x07') == std::string::npos);
  CHECK(text.find("\\x1b]0;owned\\x07") != std::string::npos);
  CHECK(is_valid_utf8(text));
}

TEST_CASE("desired-image file: invalid UTF-8 or control characters are refused clearly") {
  auto bad = parse_desired_text("quay.io/a/b:\xff\x1b[2J\n", "/etc/imageswitch/desired-image");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::Usage);
  CHECK(is_valid_utf8(bad.error().message));
  CHECK(bad.error().message.find('\x1b') == std::string::npos);
  CHECK(parse_desired_text("quay.io/a/b:v1\n", "f").value() == "quay.io/a/b:v1");
}

TEST_CASE("state and runtime directories: private, and never written through a link") {
  TempDir d;
  CHECK(check_private_directory(d.path() + "/missing").ok());
  CHECK(check_private_directory(d.path()).ok());
  const std::string open_dir = d.path() + "/open";
  std::filesystem::create_directory(open_dir);
  chmod(open_dir.c_str(), 0777);
  auto wide = check_private_directory(open_dir);
  REQUIRE_FALSE(wide.ok());
  CHECK(wide.error().kind == ErrorKind::Usage);
  CHECK(wide.error().message.find("writable by other users") != std::string::npos);
  const std::string link = d.path() + "/link";
  std::filesystem::create_directory_symlink(d.path(), link);
  auto linked = check_private_directory(link);
  REQUIRE_FALSE(linked.ok());
  CHECK(linked.error().message.find("symbolic link") != std::string::npos);
  // a link planted at the temporary name is not followed
  const std::string victim = d.path() + "/victim";
  std::ofstream(victim) << "untouched";
  const std::string target = d.path() + "/state.json";
  std::filesystem::create_symlink(victim, target + ".tmp." + std::to_string(getpid()));
  REQUIRE(write_file_atomic(target, "new", 0600).ok());
  CHECK(slurp(victim) == "untouched");
  CHECK(slurp(target) == "new");
  // a link at the destination is replaced, not followed
  std::filesystem::remove(target);
  std::filesystem::create_symlink(victim, target);
  REQUIRE(write_file_atomic(target, "newer", 0600).ok());
  CHECK(slurp(victim) == "untouched");
  CHECK_FALSE(std::filesystem::is_symlink(target));
}
