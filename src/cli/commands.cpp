#include "commands.h"

#include "fileutil.h"

#include <cstdio>

#include "cli.h"
#include "journal.h"
#include "observe.h"
#include "plan.h"
#include "registry_image_trust.h"
#include "run_lock.h"
#include "status.h"
#include "version.h"
#include "wiring.h"

namespace imageswitch {

namespace {

/// Reports a failure that ends the command: journal (or stderr) and the exit code.
int report_failure(const Error& e) {
  journal_message(failure_kind(e.kind), Priority::Error, e.message);
  return exit_code_for(e.kind);
}

int run(const Settings& settings) {
  for (const std::string* dir : {&settings.runtime_dir, &settings.state_dir})
    if (auto safe = check_private_directory(*dir); !safe) return report_failure(safe.error());
  auto lock = RunLock::try_acquire(settings.runtime_dir);
  if (!lock) return report_failure(lock.error());
  if (!lock->has_value()) {
    journal_message(MessageKind::Info, Priority::Info,
                    "Another imageswitch run is active; leaving it to finish");
    return 0;
  }
  auto services = make_services(settings);
  if (!services) return report_failure(services.error());
  Services view = services->view();
  PassOutcome outcome = reconcile(settings, view);
  if (outcome.exit_code == 0)
    journal_message(MessageKind::Info, Priority::Info, "Pass finished: " + outcome.message);
  return run_exit_status(outcome);
}

/// A fresh look for `status` (the same observe() as a pass) plus the last pass's outcome.
int status(const Settings& settings, bool json) {
  auto services = make_services(settings);
  if (!services) return report_failure(services.error());
  Services view = services->view();
  const NodeLook look = observe(settings, view);
  const Step next = decide(observation_of(look), look.saved.state, settings);
  const StatusSnapshot snap = status_now(look, next, read_status(settings));
  std::fputs((json ? status_json(snap) : status_text(snap)).c_str(), stdout);
  return look.host && look.desired ? 0 : 75;
}

int check(const Settings& settings, const std::string& image) {
  auto services = make_services(settings);
  if (!services) return report_failure(services.error());
  std::string reference = image;
  if (reference.empty()) {
    auto desired = services->source->desired();
    if (!desired) return report_failure(desired.error());
    reference = *desired;
    if (reference.empty())
      return report_failure(make_error(
          ErrorKind::Usage, "No desired image is set; name one: imageswitch check IMAGE"));
  }
  auto report = check_image(*services->trust, reference);
  if (!report) {
    std::fprintf(stdout, "rejected %s: %s\n", reference.c_str(), report.error().message.c_str());
    return exit_code_for(report.error().kind);
  }
  std::fprintf(stdout, "%s\nverified by %s\n", report->pinned.c_str(), report->accepted_by.c_str());
  return 0;
}

}  // namespace

int execute(const Command& cmd) {
  switch (cmd.kind) {
    case CommandKind::Help:
      std::fputs(usage_text().c_str(), stdout);
      return 0;
    case CommandKind::Version:
      std::printf("imageswitch %s\n", IMAGESWITCH_VERSION);
      return 0;
    default:
      break;
  }
  auto settings = load_config(cmd.config_path, cmd.config_given);
  if (!settings) return report_failure(settings.error());
  switch (cmd.kind) {
    case CommandKind::Run:
      return run(*settings);
    case CommandKind::Status:
      return status(*settings, cmd.json);
    case CommandKind::Check:
      return check(*settings, cmd.image);
    default:
      return 2;
  }
}

}  // namespace imageswitch
