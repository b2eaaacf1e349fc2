#include "status.h"

#include <nlohmann/json.hpp>

#include "fileutil.h"
#include "json_util.h"
#include "text.h"

namespace imageswitch {

std::string state_word(const StatusSnapshot& s) {
  if (s.exit_code == 1 || s.phase == "degraded" || s.step == "degraded" || s.step == "rolled-back")
    return "Degraded";
  if (s.exit_code != 0) return "Working";  // a temporary failure: retried at the next trigger
  if (s.phase == "done" && s.last_error.empty()) return "Done";
  if (s.phase == "idle" && s.step == "no-op") return "Done";  // nothing desired
  return "Working";
}

std::string status_json(const StatusSnapshot& s) {
  nlohmann::json j = {
      {"state", state_word(s)},
      {"phase", s.phase},
      {"booted", s.booted},
      {"staged", s.staged},
      {"staged_kernel_args", s.staged_kargs},
      {"desired", s.desired},
      {"target", s.target},
      {"last_error", s.last_error},
      {"next", s.next},
      {"step", s.step},
      {"exit_code", s.exit_code},
      {"updated_at", s.updated_at},
  };
  if (s.last_pass)
    j["last_pass"] = {{"step", s.last_pass->step},
                      {"exit_code", s.last_pass->exit_code},
                      {"message", s.last_pass->message},
                      {"updated_at", s.last_pass->updated_at}};
  // Text from outside may be invalid UTF-8: replaced, never thrown on (status --json, status.json).
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string status_text(const StatusSnapshot& s) {
  // Annotation and registry text is printed escaped: no terminal escape sequence gets through.
  auto or_none = [](const std::string& v, const char* none) {
    return v.empty() ? std::string(none) : printable(v, 4 * kMaxStoredText);
  };
  std::string out;
  out += "State:      " + state_word(s) + " (phase " + or_none(s.phase, "none") + ")\n";
  out += "Booted:     " + or_none(s.booted, "unknown") + "\n";
  out += "Staged:     " + or_none(s.staged, "nothing staged") + "\n";
  if (!s.staged_kargs.empty()) out += "Kernel args: " + s.staged_kargs + " (staged)\n";
  out += "Desired:    " + or_none(s.desired, "none set") + "\n";
  if (!s.target.empty()) out += "Target:     " + or_none(s.target, "") + "\n";
  out += "Last error: " + or_none(s.last_error, "none") + "\n";
  out += "Next:       " + or_none(s.next, "nothing") + "\n";
  if (s.last_pass)
    out += "Last pass:  exit " + std::to_string(s.last_pass->exit_code) + " at step " +
           or_none(s.last_pass->step, "none") + ": " + or_none(s.last_pass->message, "no message") +
           "\n";
  return out;
}

StatusSnapshot status_now(const NodeLook& look, const Step& next,
                          const std::optional<StatusSnapshot>& last) {
  const State& state = look.saved.state;
  StatusSnapshot s;
  s.phase = std::string(phase_name(state.phase));
  if (look.host) {
    s.booted = describe(look.host->booted);
    s.staged = describe(look.host->staged);
  } else {
    s.booted = "unknown (" + look.host.error().message + ")";
  }
  s.desired = look.desired ? *look.desired : "unknown (" + look.desired.error().message + ")";
  s.target = state.target_image;
  s.last_error = look.saved.warning.empty() ? state.last_error : look.saved.warning;
  s.step = std::string(step_name(next.kind));
  s.next = next.reason;
  // A rejected image leaves the phase alone: the last pass's outcome says it was Degraded.
  const bool last_degraded = last && last->exit_code == 1 && last->desired == s.desired;
  s.exit_code = state.phase == Phase::Degraded || last_degraded ? 1 : 0;
  s.updated_at = state.changed_at;
  if (last) s.last_pass = LastPass{last->step, last->exit_code, last->next, last->updated_at};
  if (last && !s.staged.empty() && last->staged == s.staged) s.staged_kargs = last->staged_kargs;
  return s;
}

std::optional<StatusSnapshot> read_status(const Settings& settings) {
  auto text = read_file(settings.runtime_dir + "/status.json", 64 * 1024);
  if (!text) return std::nullopt;
  const auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  StatusSnapshot s;
  s.phase = json_string(j, "phase");
  s.booted = json_string(j, "booted");
  s.staged = json_string(j, "staged");
  s.staged_kargs = json_string(j, "staged_kernel_args");
  s.desired = json_string(j, "desired");
  s.target = json_string(j, "target");
  s.last_error = json_string(j, "last_error");
  s.next = json_string(j, "next");
  s.step = json_string(j, "step");
  s.exit_code = static_cast<int>(json_int(j, "exit_code", 0));
  s.updated_at = json_int(j, "updated_at", 0);
  return s;
}

Result<void> write_status(const Settings& settings, const StatusSnapshot& snapshot) {
  TRY(ensure_directory(settings.runtime_dir, 0755));
  return write_file_atomic(settings.runtime_dir + "/status.json", status_json(snapshot));
}

}  // namespace imageswitch
