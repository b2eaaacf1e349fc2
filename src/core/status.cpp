#include "status.h"

#include <nlohmann/json.hpp>

#include "fileutil.h"
#include "journal.h"

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
  return j.dump(2) + "\n";
}

std::string status_text(const StatusSnapshot& s) {
  auto or_none = [](const std::string& v, const char* none) { return v.empty() ? none : v; };
  std::string out;
  out += "State:      " + state_word(s) + " (phase " + s.phase + ")\n";
  out += "Booted:     " + or_none(s.booted, "unknown") + "\n";
  out += "Staged:     " + or_none(s.staged, "nothing staged") + "\n";
  if (!s.staged_kargs.empty()) out += "Kernel args: " + s.staged_kargs + " (staged)\n";
  out += "Desired:    " + or_none(s.desired, "none set") + "\n";
  if (!s.target.empty()) out += "Target:     " + s.target + "\n";
  out += "Last error: " + or_none(s.last_error, "none") + "\n";
  out += "Next:       " + or_none(s.next, "nothing") + "\n";
  return out;
}

void write_status(const Settings& settings, const StatusSnapshot& snapshot) {
  auto dir = ensure_directory(settings.runtime_dir, 0755);
  auto r =
      dir ? write_file_atomic(settings.runtime_dir + "/status.json", status_json(snapshot)) : dir;
  if (!r)
    journal_message(MessageKind::Info, 4, "Failed to write status.json: " + r.error().message);
}

}  // namespace imageswitch
