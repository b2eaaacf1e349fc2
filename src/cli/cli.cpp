#include "cli.h"

#include "config.h"

namespace imageswitch {

std::string usage_text() {
  return "Usage: imageswitch [--config FILE] COMMAND\n"
         "\n"
         "Switches this node to its desired, signature-verified OS image, safely.\n"
         "\n"
         "Commands:\n"
         "  run              one reconcile pass (what imageswitch.service runs)\n"
         "  status [--json]  booted, staged and desired images, phase, last error, next step\n"
         "  check [IMAGE]    resolve and verify only; prints the pinned reference\n"
         "\n"
         "Options:\n"
         "  --config FILE    configuration file (default /etc/imageswitch/config.json)\n"
         "  --version        print the version\n"
         "  --help           print this help\n"
         "\n"
         "Exit status: 0 converged or progressing, 1 degraded, 2 usage or configuration error,\n"
         "75 temporary failure (retried at the next trigger), 10 (run) waiting for a gate slot\n"
         "(imageswitch.service runs the pass again after a few seconds).\n";
}

int run_exit_status(const PassOutcome& outcome) {
  // The shell stops at a gate step without an error only when the slot is held by another node
  // (a taken slot moves on to the drain). A requested reboot stays 0: the node is going down,
  // and a quick re-run during kubelet's graceful shutdown would ask for the reboot again.
  if (outcome.exit_code == 0 && outcome.last_step.kind == StepKind::Gate) return kExitWaiting;
  return outcome.exit_code;
}

Result<Command> parse_command_line(const std::vector<std::string>& args) {
  Command cmd;
  cmd.config_path = std::string(kDefaultConfigPath);
  bool have_command = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      cmd.kind = CommandKind::Help;
      return cmd;
    }
    if (a == "--version") {
      cmd.kind = CommandKind::Version;
      return cmd;
    }
    if (a == "--config" || a.rfind("--config=", 0) == 0) {
      std::string value;
      if (a == "--config") {
        if (i + 1 >= args.size())
          return make_error(ErrorKind::Usage, "option '--config' needs a file name");
        value = args[++i];
      } else {
        value = a.substr(9);
      }
      if (value.empty()) return make_error(ErrorKind::Usage, "option '--config' needs a file name");
      cmd.config_path = value;
      cmd.config_given = true;
      continue;
    }
    if (!have_command) {
      if (a == "run")
        cmd.kind = CommandKind::Run;
      else if (a == "status")
        cmd.kind = CommandKind::Status;
      else if (a == "check")
        cmd.kind = CommandKind::Check;
      else
        return make_error(ErrorKind::Usage, "unknown command '" + a +
                                                "'; expected run, status or check (see --help)");
      have_command = true;
      continue;
    }
    if (cmd.kind == CommandKind::Status && a == "--json") {
      cmd.json = true;
      continue;
    }
    if (cmd.kind == CommandKind::Check && cmd.image.empty() && !a.empty() && a[0] != '-') {
      cmd.image = a;
      continue;
    }
    return make_error(ErrorKind::Usage, "unexpected argument '" + a + "' (see --help)");
  }
  if (!have_command)
    return make_error(ErrorKind::Usage,
                      "no command given; expected run, status or check (see --help)");
  return cmd;
}

}  // namespace imageswitch
