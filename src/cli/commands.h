// The three commands behind the CLI: run, status, check. Each returns the process exit code.
#pragma once

#include "cli.h"

namespace imageswitch {

/// Executes `command` and returns the exit code of the contract (0, 1, 2, 10, 75).
int execute(const Command& command);

}  // namespace imageswitch
