// Command-line parsing: every command, option and misuse.
#include "cli.h"

#include <doctest/doctest.h>

using namespace imageswitch;

namespace {

Command ok(std::vector<std::string> args) {
  auto r = parse_command_line(args);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return *r;
}

std::string bad(std::vector<std::string> args) {
  auto r = parse_command_line(args);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Usage);
  return r.error().message;
}

}  // namespace

TEST_CASE("cli: commands") {
  CHECK(ok({"run"}).kind == CommandKind::Run);
  CHECK(ok({"status"}).kind == CommandKind::Status);
  CHECK_FALSE(ok({"status"}).json);
  CHECK(ok({"status", "--json"}).json);
  CHECK(ok({"check"}).kind == CommandKind::Check);
  CHECK(ok({"check"}).image.empty());
  CHECK(ok({"check", "quay.io/x:1"}).image == "quay.io/x:1");
  CHECK(ok({"--version"}).kind == CommandKind::Version);
  CHECK(ok({"--help"}).kind == CommandKind::Help);
  CHECK(ok({"run", "--help"}).kind == CommandKind::Help);
}

TEST_CASE("cli: --config") {
  Command c = ok({"--config", "/tmp/c.json", "run"});
  CHECK(c.config_path == "/tmp/c.json");
  CHECK(c.config_given);
  CHECK(ok({"run", "--config=/x.json"}).config_path == "/x.json");
  Command d = ok({"run"});
  CHECK(d.config_path == "/etc/imageswitch/config.json");
  CHECK_FALSE(d.config_given);
}

TEST_CASE("cli: misuse names the argument") {
  CHECK(bad({}) == "no command given; expected run, status or check (see --help)");
  CHECK(bad({"upgrade"}) ==
        "unknown command 'upgrade'; expected run, status or check (see --help)");
  CHECK(bad({"run", "now"}) == "unexpected argument 'now' (see --help)");
  CHECK(bad({"run", "--json"}) == "unexpected argument '--json' (see --help)");
  CHECK(bad({"check", "a", "b"}) == "unexpected argument 'b' (see --help)");
  CHECK(bad({"--config"}) == "option '--config' needs a file name");
  CHECK(bad({"--config=", "run"}) == "option '--config' needs a file name");
}

TEST_CASE("cli: usage text lists every command and exit code") {
  const std::string u = usage_text();
  for (const char* word :
       {"run", "status [--json]", "check [IMAGE]", "--config FILE", "75", "10 (run) waiting"})
    CHECK(u.find(word) != std::string::npos);
}

TEST_CASE("cli: a pass waiting for a gate slot exits 10, everything else keeps its code") {
  auto outcome = [](int code, StepKind kind) { return PassOutcome{code, Step{kind, "", ""}, ""}; };
  CHECK(run_exit_status(outcome(0, StepKind::Gate)) == kExitWaiting);
  CHECK(kExitWaiting == 10);
  CHECK(run_exit_status(outcome(75, StepKind::Gate)) == 75);  // gate API down: the timer retries
  CHECK(run_exit_status(outcome(1, StepKind::Gate)) == 1);
  CHECK(run_exit_status(outcome(0, StepKind::Reboot)) == 0);  // the node is going down
  CHECK(run_exit_status(outcome(0, StepKind::Noop)) == 0);
  CHECK(run_exit_status(outcome(0, StepKind::Wait)) == 0);  // reboot disabled: an admin's turn
  CHECK(run_exit_status(outcome(2, StepKind::Resolve)) == 2);
}
