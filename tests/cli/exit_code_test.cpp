// The shell's side of the exit-code table: what `execute` returns and journals for the classes
// the CLI decides (usage, configuration), each failure journaled once with its MESSAGE_ID.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "journal.h"
#include "temp_dir.h"

using imageswitch::testing::TempDir;

using namespace imageswitch;
namespace fs = std::filesystem;

namespace {

/// Runs `args` through parse + execute (as main does) and collects the journal entries.
struct Shell {
  std::vector<JournalEntry> entries;
  Shell() {
    set_journal_sink([this](const JournalEntry& e) { entries.push_back(e); });
  }
  ~Shell() { set_journal_sink({}); }
  int run(const std::vector<std::string>& args) {
    auto command = parse_command_line(args);
    if (!command) return exit_code_for(command.error().kind);
    return execute(*command);
  }
};

}  // namespace

TEST_CASE("cli exit codes: bad usage is 2") {
  Shell sh;
  CHECK(sh.run({"upgrade"}) == 2);
  CHECK(sh.run({"run", "--json"}) == 2);
  CHECK(sh.run({}) == 2);
}

TEST_CASE("cli exit codes: a configuration an admin must fix is 2, journaled once") {
  TempDir d;
  const std::string bad = d.path() + "/config.json";
  std::ofstream(bad) << R"({"drian": {}})";
  for (const char* cmd : {"run", "status", "check"}) {
    CAPTURE(cmd);
    Shell sh;
    CHECK(sh.run({"--config", bad, cmd}) == 2);
    REQUIRE(sh.entries.size() == 1);
    CHECK(sh.entries[0].kind == MessageKind::ConfigError);
    CHECK(sh.entries[0].priority == Priority::Error);
    CHECK(sh.entries[0].message.find("unknown key 'drian'") != std::string::npos);
  }
  Shell sh;
  CHECK(sh.run({"--config", d.path() + "/missing.json", "run"}) == 2);
  CHECK(sh.run({"--config", d.path(), "status"}) == 2);  // a directory, not a file
  CHECK(sh.entries.size() == 2);
}

TEST_CASE("cli exit codes: --help and --version are 0 and journal nothing") {
  Shell sh;
  CHECK(sh.run({"--help"}) == 0);
  CHECK(sh.run({"--version"}) == 0);
  CHECK(sh.entries.empty());
}
