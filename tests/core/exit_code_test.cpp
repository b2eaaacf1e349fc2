// The exit-code table (README "Exit codes"), one case per failure class that core decides:
// 2 = a local file an admin must fix or usage, 1 = the cluster or the image must change,
// 75 = may pass by itself. The caller of a file read chooses the class, not the file helper.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config.h"
#include "desired_file.h"
#include "fileutil.h"
#include "reconcile_node.h"
#include "temp_dir.h"

using namespace imageswitch;
using namespace imageswitch::testing;

namespace {

int config_exit(const std::string& path, bool given = true) {
  auto r = load_config(path, given);
  return r ? 0 : exit_code_for(r.error().kind);
}

int desired_exit(const std::string& path) {
  FileSource source(path);
  auto r = source.desired();
  return r ? 0 : exit_code_for(r.error().kind);
}

}  // namespace

TEST_CASE("exit codes: the kinds map to the table") {
  CHECK(exit_code_for(ErrorKind::Usage) == 2);
  CHECK(exit_code_for(ErrorKind::Degraded) == 1);
  CHECK(exit_code_for(ErrorKind::Temporary) == 75);
}

TEST_CASE("exit codes: the configuration file is the admin's (2)") {
  TempDir d;
  CHECK(config_exit(d.write("broken.json", "{\"drain\": ")) == 2);
  CHECK(config_exit(d.write("unknown.json", R"({"drian": {}})")) == 2);
  CHECK(config_exit(d.write("type.json", R"({"reboot": {"enabled": "yes"}})")) == 2);
  CHECK(config_exit(d.path() + "/missing.json") == 2);
  CHECK(config_exit(d.path() + "/missing.json", /*given=*/false) == 0);  // defaults
  CHECK(config_exit(d.path()) == 2);  // exists but cannot be read as a file: not "defaults"
  CHECK(config_exit(d.write("big.json", std::string(2 << 20, ' '))) == 2);
}

TEST_CASE("exit codes: the desired-image file: its content is the admin's, reading may retry") {
  TempDir d;
  CHECK(desired_exit(d.path() + "/absent") == 0);  // nothing desired
  CHECK(desired_exit(d.write("two", "quay.io/a:1\nquay.io/b:2\n")) == 2);
  CHECK(desired_exit(d.write("space", "quay.io/a :1\n")) == 2);
  CHECK(desired_exit(d.write("huge", std::string(100 << 10, 'a'))) == 2);
  fs::create_directory(d.path() + "/dir");
  CHECK(desired_exit(d.path() + "/dir") == 75);  // exists, cannot be read now: not a usage error
}

TEST_CASE("exit codes: read_file reports the kind its caller chose") {
  TempDir d;
  const std::string big = d.write("big", std::string(100, 'x'));
  CHECK(read_file(big, 10, ErrorKind::Degraded).error().kind == ErrorKind::Degraded);
  CHECK(read_file(d.path() + "/absent", 10, ErrorKind::Usage).error().kind == ErrorKind::Usage);
  CHECK(read_file(d.path() + "/absent", 10, ErrorKind::Temporary).error().kind ==
        ErrorKind::Temporary);
  CHECK(*read_file(big, 100, ErrorKind::Usage) == std::string(100, 'x'));
  CHECK(file_missing(d.path() + "/absent"));
  CHECK(file_missing(big + "/below-a-file"));
  CHECK_FALSE(file_missing(big));
}

TEST_CASE("exit codes: what a pass decides") {
  struct Case {
    const char* name;
    void (*setup)(Node&);
    int exit_code;
  };
  const Case cases[] = {
      {"rejected signature", [](Node& n) { n.trust.rejected.insert(B); }, 1},
      {"drain timed out",
       [](Node& n) { n.cluster.drain_error = make_error(ErrorKind::Degraded, "timed out"); }, 1},
      {"credentials refused",
       [](Node& n) { n.source.error = make_error(ErrorKind::Degraded, "401 Unauthorized"); }, 1},
      {"bus down",
       [](Node& n) { n.host.status_error = make_error(ErrorKind::Temporary, "no bus"); }, 75},
      {"registry 503",
       [](Node& n) { n.trust.resolve_error = make_error(ErrorKind::Temporary, "503"); }, 75},
      {"broken policy.json",
       [](Node& n) { n.trust.resolve_error = make_error(ErrorKind::Usage, "policy.json"); }, 2},
      {"progressing", [](Node&) {}, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Node n;
    n.source.value = kTag;
    c.setup(n);
    CHECK(n.pass().exit_code == c.exit_code);
  }
}

TEST_CASE("exit codes: a rollback is 1, and stays 1") {
  Node n;
  n.source.value = kTag;
  REQUIRE(n.pass().exit_code == 0);
  n.restart(/*roll_back=*/true);
  CHECK(n.pass().exit_code == 1);
  CHECK(n.pass().exit_code == 1);
}
