// imageswitch: parse the command line and dispatch. Nothing else lives here.
#include <sys/prctl.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"

int main(int argc, char** argv) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // no core dump or ptrace peek at passwords and tokens
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto command = imageswitch::parse_command_line(args);
  if (!command) {
    std::fprintf(stderr, "imageswitch: %s\n", command.error().message.c_str());
    return imageswitch::exit_code_for(command.error().kind);  // Usage: 2
  }
  return imageswitch::execute(*command);
}
