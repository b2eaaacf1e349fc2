// Command-line parsing: argv → a typed Command. No I/O besides nothing; main() prints.
#pragma once

#include <string>
#include <vector>

#include "reconcile.h"
#include "result.h"

namespace imageswitch {

/// What the user asked for.
enum class CommandKind { Run, Status, Check, Version, Help };

/// A parsed command line.
struct Command {
  CommandKind kind = CommandKind::Help;
  std::string config_path;    ///< --config FILE, or the default path
  bool config_given = false;  ///< --config was given (a missing file is then an error)
  bool json = false;          ///< status --json
  std::string image;          ///< check [IMAGE]; empty → the desired image
};

/// The --help text.
std::string usage_text();

/// Exit status of `imageswitch run` for a pass that stopped to wait for a gate slot held by
/// another node: imageswitch.service restarts it after RestartSec= (a few seconds) through
/// Restart=on-failure (1 and 2 are in RestartPreventExitStatus=, 75 in SuccessExitStatus=).
inline constexpr int kExitWaiting = 10;

/// The process exit status of a finished pass: its exit code, or kExitWaiting when it waits.
int run_exit_status(const PassOutcome& outcome);

/// Parses `args` (without argv[0]); a Usage error names the offending argument.
Result<Command> parse_command_line(const std::vector<std::string>& args);

}  // namespace imageswitch
