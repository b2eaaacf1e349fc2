#include "commands.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "fileutil.h"
#include "journal.h"
#include "json_util.h"
#include "plan.h"
#include "registry_image_trust.h"
#include "run_lock.h"
#include "state.h"
#include "status.h"
#include "version.h"
#include "wiring.h"

namespace imageswitch {

namespace {

/// Reports a failure that ends the command: journal (or stderr) and the exit code.
int report_failure(const Error& e) {
  journal_message(
      e.kind == ErrorKind::Usage ? MessageKind::ConfigError : MessageKind::TemporaryFailure, 3,
      e.message);
  return exit_code_for(e.kind);
}

int run(const Settings& settings) {
  auto lock = RunLock::try_acquire(settings.runtime_dir);
  if (!lock) return report_failure(lock.error());
  if (!lock->has_value()) {
    journal_message(MessageKind::Info, 6,
                    "Another imageswitch run is active; leaving it to finish");
    return 0;
  }
  auto services = make_services(settings);
  if (!services) return report_failure(services.error());
  Services view = services->view();
  PassOutcome outcome = reconcile(settings, view);
  if (outcome.exit_code == 0)
    journal_message(MessageKind::Info, 6, "Pass finished: " + outcome.message);
  return outcome.exit_code;
}

/// A fresh look for `status`: local facts plus what the plan would do next.
int status(const Settings& settings, bool json) {
  auto services = make_services(settings);
  if (!services) return report_failure(services.error());
  StatusSnapshot snap;
  LoadedState loaded = load_state(settings.state_dir);
  const State& state = loaded.state;
  Observation obs;
  obs.boot_id = read_boot_id();
  obs.has_cluster = services->cluster != nullptr;
  auto host = services->host->status();
  if (host) {
    obs.host = *host;
    if (host->booted)
      snap.booted = host->booted->image.empty() ? host->booted->checksum : host->booted->image;
    if (host->staged)
      snap.staged = host->staged->image.empty() ? host->staged->checksum : host->staged->image;
  } else {
    snap.booted = "unknown (" + host.error().message + ")";
  }
  auto desired = services->source->desired();
  if (desired) obs.desired = *desired;
  snap.desired = desired ? *desired : "unknown (" + desired.error().message + ")";
  snap.phase = std::string(phase_name(state.phase));
  snap.target = state.target_image;
  snap.last_error = !loaded.warning.empty() ? loaded.warning : state.last_error;
  const Step next = decide(obs, state, settings);
  snap.step = std::string(step_name(next.kind));
  snap.next = next.reason;
  snap.exit_code = state.phase == Phase::Degraded ? 1 : 0;
  // A rejected image leaves the phase alone: the last pass's outcome says it was Degraded.
  if (auto last = read_file(settings.runtime_dir + "/status.json", 64 * 1024)) {
    const auto j = nlohmann::json::parse(*last, nullptr, false);
    if (json_int(j, "exit_code", 0) == 1 && json_string(j, "desired") == snap.desired)
      snap.exit_code = 1;
    if (!snap.staged.empty() && json_string(j, "staged") == snap.staged)
      snap.staged_kargs = json_string(j, "staged_kernel_args");
  }
  snap.updated_at = state.changed_at;
  std::fputs((json ? status_json(snap) : status_text(snap)).c_str(), stdout);
  return host && desired ? 0 : 75;
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
