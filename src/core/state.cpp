#include "state.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "fileutil.h"
#include "text.h"

namespace imageswitch {

using nlohmann::json;

namespace {

constexpr int kStateVersion = 1;

// The file that keeps a rollback from repeating even when state.json is lost:
// "<digest>\n<desired>\n".
std::string failed_path(const std::string& dir) {
  return dir + "/failed-digest";
}

// A rollback remembered in failed-digest, as the Degraded state it stands for.
std::optional<State> load_failed(const std::string& dir) {
  auto text = read_file(failed_path(dir), 4 * kMaxStoredText);
  if (!text) return std::nullopt;
  const auto nl = text->find('\n');
  State s;
  s.failed_digest = text->substr(0, nl);
  if (nl != std::string::npos) s.desired = text->substr(nl + 1);
  while (!s.desired.empty() && s.desired.back() == '\n') s.desired.pop_back();
  if (s.failed_digest.size() != 71 || s.failed_digest.rfind("sha256:", 0) != 0) return std::nullopt;
  s.phase = Phase::Degraded;
  s.target_digest = s.failed_digest;
  s.last_error =
      "rolled back from " + s.failed_digest + " earlier (kept in '" + failed_path(dir) + "')";
  return s;
}

std::string state_path(const std::string& dir) {
  return dir + "/state.json";
}

}  // namespace

std::string serialize_state(const State& s) {
  const auto b = [](const std::string& v) { return printable(v, kMaxStoredText); };
  json j = {
      {"version", kStateVersion},
      {"phase", phase_name(s.phase)},
      {"desired", b(s.desired)},
      {"target_digest", b(s.target_digest)},
      {"target_image", b(s.target_image)},
      {"desired_config", b(s.desired_config)},
      {"cordon_recorded", s.cordon_recorded},
      {"we_cordoned", s.we_cordoned},
      {"gate_held", s.gate_held},
      {"reboot_boot_id", b(s.reboot_boot_id)},
      {"reboot_attempts", s.reboot_attempts},
      {"failed_digest", b(s.failed_digest)},
      {"last_error", b(s.last_error)},
      {"changed_at", s.changed_at},
  };
  // Every string is bounded and valid UTF-8, so the file stays far below kMaxStateFile and
  // dump() cannot throw; replace is a second guard.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<State> parse_state(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorKind::Temporary, "not valid JSON (truncated?)");
  if (!j.is_object()) return make_error(ErrorKind::Temporary, "not a JSON object");
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer() || version->get<int>() != kStateVersion)
    return make_error(ErrorKind::Temporary, "missing or unknown 'version'");
  State s;
  // One reader per member: present, of the right JSON type (a method of json), then copied.
  auto member = [&j](const char* key, auto& out, bool (json::*has_type)() const noexcept,
                     const char* type) -> Result<void> {
    auto it = j.find(key);
    if (it == j.end() || !((*it).*has_type)())
      return make_error(ErrorKind::Temporary,
                        std::string("key '") + key + "' missing or not " + type);
    out = it->get<std::remove_reference_t<decltype(out)>>();
    return {};
  };
  auto str = [&](const char* key, std::string& out) {
    return member(key, out, &json::is_string, "a string");
  };
  auto boolean = [&](const char* key, bool& out) {
    return member(key, out, &json::is_boolean, "a boolean");
  };
  auto integer = [&](const char* key, auto& out) {
    return member(key, out, &json::is_number_integer, "an integer");
  };
  std::string phase;
  TRY(str("phase", phase));
  auto parsed = parse_phase(phase);
  if (!parsed) return make_error(ErrorKind::Temporary, "unknown phase '" + phase + "'");
  s.phase = *parsed;
  TRY(str("desired", s.desired));
  TRY(str("target_digest", s.target_digest));
  TRY(str("target_image", s.target_image));
  if (j.contains("desired_config")) TRY(str("desired_config", s.desired_config));  // newer key
  TRY(boolean("cordon_recorded", s.cordon_recorded));
  TRY(boolean("we_cordoned", s.we_cordoned));
  TRY(boolean("gate_held", s.gate_held));
  TRY(str("reboot_boot_id", s.reboot_boot_id));
  TRY(integer("reboot_attempts", s.reboot_attempts));
  TRY(str("failed_digest", s.failed_digest));
  TRY(str("last_error", s.last_error));
  TRY(integer("changed_at", s.changed_at));
  if (s.phase != Phase::Idle && s.phase != Phase::Done && s.target_digest.empty())
    return make_error(ErrorKind::Temporary, "phase '" + phase + "' without a target digest");
  return s;
}

LoadedState load_state(const std::string& dir) {
  LoadedState out;
  const std::string path = state_path(dir);
  auto text = read_file(path, kMaxStateFile);
  if (!text) {
    const bool missing = access(path.c_str(), F_OK) != 0 && errno == ENOENT;
    if (!missing) out.warning = "Ignoring state file '" + path + "': " + text.error().message;
    if (auto failed = load_failed(dir)) out.state = *failed;
    return out;
  }
  auto parsed = parse_state(*text);
  if (!parsed) {
    out.warning = "Ignoring corrupt state file '" + path + "': " + parsed.error().message +
                  "; starting from no state";
    if (auto failed = load_failed(dir)) out.state = *failed;
    return out;
  }
  out.state = std::move(parsed.value());
  return out;
}

Result<void> save_state(const std::string& dir, const State& state) {
  TRY(ensure_directory(dir, 0700));
  // The failed digest first: it alone prevents a reboot loop if state.json is lost later.
  if (!state.failed_digest.empty()) {
    auto f = write_file_atomic(
        failed_path(dir),
        printable(state.failed_digest, 80) + "\n" + printable(state.desired, kMaxStoredText) + "\n",
        0600);
    if (!f) return wrap("Failed to save state", f.error());
  } else if (unlink(failed_path(dir).c_str()) != 0 && errno != ENOENT) {
    return make_error(ErrorKind::Temporary,
                      "Failed to save state: cannot remove '" + failed_path(dir) + "'");
  }
  auto r = write_file_atomic(state_path(dir), serialize_state(state), 0600);
  if (!r) return wrap("Failed to save state", r.error());
  return {};
}

}  // namespace imageswitch
