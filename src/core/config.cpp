#include "config.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

#include "fileutil.h"
#include "json_util.h"
#include "text.h"

namespace imageswitch {

using nlohmann::json;

namespace {

/// Bound on the configuration file (it is a few hundred bytes).
constexpr std::size_t kMaxConfigFile = 1 << 20;

const std::vector<std::string_view> kTopKeys = {
    "node_name",    "source",       "desired_annotation",
    "desired_file", "kubeconfig",   "backend",
    "auth_file",    "policy_file",  "registries_conf",
    "registries_d", "certs_d",      "state_dir",
    "runtime_dir",  "architecture", "drain",
    "reboot",       "coordination", "sysroot"};
const std::vector<std::string_view> kDrainKeys = {"enabled", "timeout_s", "eviction_retry_s",
                                                  "grace_period_s"};
const std::vector<std::string_view> kRebootKeys = {"enabled"};
const std::vector<std::string_view> kCoordinationKeys = {
    "kind", "namespace", "name", "max_holders", "ttl_s", "url", "group", "kubeconfig"};

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// Reads one object's keys, refusing unknown ones; `where` is "config.json" or "config.json:
/// drain".
class ObjectReader {
 public:
  ObjectReader(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {}

  Result<void> check_keys(const std::vector<std::string_view>& known) const {
    for (const auto& [key, value] : obj_.items()) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string msg = where_ + ": unknown key '" + key + "'";
      const std::string near = closest_key(key, known);
      if (!near.empty()) msg += " (did you mean '" + near + "'?)";
      return make_error(ErrorKind::Usage, msg);
    }
    return {};
  }

  Result<void> string(const char* key, std::string& out, bool allow_empty = false) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) return {};
    if (!it->is_string()) return type_error(key, "a string");
    if (!allow_empty && it->get_ref<const std::string&>().empty())
      return make_error(ErrorKind::Usage, where_ + ": key '" + key + "' must not be empty");
    out = it->get<std::string>();
    return {};
  }

  Result<void> boolean(const char* key, bool& out) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) return {};
    if (!it->is_boolean()) return type_error(key, "true or false");
    out = it->get<bool>();
    return {};
  }

  Result<void> integer(const char* key, int& out, int min, int max) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) return {};
    if (!it->is_number_integer()) return type_error(key, "an integer");
    const auto v = it->get<long long>();
    if (v < min || v > max)
      return make_error(ErrorKind::Usage, where_ + ": key '" + key + "' must be between " +
                                              std::to_string(min) + " and " + std::to_string(max) +
                                              ", not " + std::to_string(v));
    out = static_cast<int>(v);
    return {};
  }

  Result<void> one_of(const char* key, std::string& out,
                      std::initializer_list<std::string_view> allowed) const {
    if (!obj_.contains(key)) return {};
    if (auto r = string(key, out); !r) return r;
    if (std::find(allowed.begin(), allowed.end(), out) != allowed.end()) return {};
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
    return make_error(ErrorKind::Usage,
                      where_ + ": key '" + key + "' is '" + out + "', expected one of " + list);
  }

  /// The sub-object at `key`, or an error when it is not an object; nullptr when absent.
  Result<const json*> object(const char* key) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) return static_cast<const json*>(nullptr);
    if (!it->is_object()) return type_error(key, "an object");
    return &*it;
  }

 private:
  Error type_error(const char* key, const char* expected) const {
    return make_error(ErrorKind::Usage, where_ + ": key '" + key + "' must be " + expected +
                                            ", not " + obj_.at(key).type_name());
  }

  const json& obj_;
  std::string where_;
};

Result<void> parse_drain(const json& obj, const std::string& where, DrainSettings& out) {
  ObjectReader r(obj, where + ": drain");
  TRY(r.check_keys(kDrainKeys));
  TRY(r.boolean("enabled", out.enabled));
  TRY(r.integer("timeout_s", out.timeout_s, 1, 7 * 24 * 3600));
  TRY(r.integer("eviction_retry_s", out.eviction_retry_s, 0, 3600));
  TRY(r.integer("grace_period_s", out.grace_period_s, -1, 24 * 3600));
  return {};
}

Result<void> parse_coordination(const json& obj, const std::string& where,
                                CoordinationSettings& out) {
  ObjectReader r(obj, where + ": coordination");
  TRY(r.check_keys(kCoordinationKeys));
  TRY(r.one_of("kind", out.kind, {"none", "lease", "fleetlock"}));
  TRY(r.string("namespace", out.namespace_));
  TRY(r.string("name", out.name));
  TRY(r.integer("max_holders", out.max_holders, 1, 10000));
  TRY(r.integer("ttl_s", out.ttl_s, 10, 24 * 3600));
  TRY(r.string("url", out.url));
  TRY(r.string("group", out.group));
  TRY(r.string("kubeconfig", out.kubeconfig));
  if (out.kind == "fleetlock" && out.url.empty())
    return make_error(
        ErrorKind::Usage,
        where + ": coordination: kind 'fleetlock' needs key 'url' (the FleetLock server)");
  return {};
}

/// A Lease slot is renewed once per pass; one pass may drain for drain.timeout_s and then the
/// node reboots, so the holder TTL must outlast both or another node takes the slot mid-update.
Result<void> check_lease_ttl(const Settings& s, const std::string& where) {
  if (s.coordination.kind != "lease") return {};
  const long drain_s = s.drain.enabled ? s.drain.timeout_s : 0;
  const long reboot_s = s.reboot_enabled ? kRebootAllowanceS : 0;
  const long needed = drain_s + reboot_s;
  if (s.coordination.ttl_s > needed) return {};
  return make_error(ErrorKind::Usage,
                    where + ": coordination: ttl_s (" + std::to_string(s.coordination.ttl_s) +
                        ") must exceed drain.timeout_s (" + std::to_string(drain_s) +
                        ") plus the reboot allowance (" + std::to_string(reboot_s) +
                        " s) = " + std::to_string(needed) + "; raise ttl_s or lower the timeout");
}

}  // namespace

std::string closest_key(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  size_t best_distance = 3;  // suggest only for up to two edits
  for (auto c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

Result<Settings> parse_config(std::string_view text, std::string_view origin) {
  const std::string where(origin);
  if (!json::accept(text))
    return make_error(ErrorKind::Usage, where + ": not valid JSON; fix the syntax");
  auto parsed = parse_json_strict(text, where, {kMaxConfigFile, 16});
  if (!parsed) return make_error(ErrorKind::Usage, parsed.error().message + "; fix the file");
  const json doc = std::move(*parsed);
  if (!doc.is_object())
    return make_error(ErrorKind::Usage,
                      where + ": must be a JSON object, not " + std::string(doc.type_name()));
  Settings s;
  ObjectReader r(doc, where);
  TRY(r.check_keys(kTopKeys));
  TRY(r.string("node_name", s.node_name));
  TRY(r.one_of("source", s.source, {"annotation", "file"}));
  TRY(r.string("desired_annotation", s.desired_annotation));
  TRY(r.string("desired_file", s.desired_file));
  TRY(r.string("kubeconfig", s.kubeconfig));
  TRY(r.one_of("backend", s.backend, {"rpm-ostree", "bootc"}));
  TRY(r.string("auth_file", s.auth_file));
  TRY(r.string("policy_file", s.policy_file));
  TRY(r.string("registries_conf", s.registries_conf));
  TRY(r.string("registries_d", s.registries_d));
  TRY(r.string("certs_d", s.certs_d));
  TRY(r.string("state_dir", s.state_dir));
  TRY(r.string("runtime_dir", s.runtime_dir));
  TRY(r.one_of("architecture", s.architecture, {"amd64", "arm64", "ppc64le", "s390x"}));
  TRY(r.string("sysroot", s.sysroot));
  if (s.sysroot.empty() || s.sysroot.front() != '/')
    return make_error(ErrorKind::Usage,
                      where + ": sysroot: must be an absolute path, not '" + s.sysroot + "'");
  auto drain = r.object("drain");
  if (!drain) return drain.error();
  if (*drain != nullptr) TRY(parse_drain(**drain, where, s.drain));
  auto reboot = r.object("reboot");
  if (!reboot) return reboot.error();
  if (*reboot != nullptr) {
    ObjectReader rr(**reboot, where + ": reboot");
    TRY(rr.check_keys(kRebootKeys));
    TRY(rr.boolean("enabled", s.reboot_enabled));
  }
  auto coordination = r.object("coordination");
  if (!coordination) return coordination.error();
  if (*coordination != nullptr) TRY(parse_coordination(**coordination, where, s.coordination));
  TRY(check_lease_ttl(s, where));
  return s;
}

Result<Settings> load_config(const std::string& path, bool path_was_given) {
  Result<Settings> settings = Settings{};
  if (file_missing(path)) {
    if (path_was_given)
      return make_error(ErrorKind::Usage, "Failed to open configuration file '" + path +
                                              "': no such readable file; check --config");
  } else {
    // Whatever keeps the configuration from being read is for the admin to fix (exit 2).
    auto text = read_file(path, kMaxConfigFile, ErrorKind::Usage);
    if (!text) return text.error();  // "Failed to open '<path>': Permission denied"
    const auto slash = path.find_last_of('/');
    settings = parse_config(*text, slash == std::string::npos ? path : path.substr(slash + 1));
    if (!settings) return settings;
  }
  if (settings->node_name.empty()) {
    char host[256] = {};
    // The kubelet registers the Node under the lower-cased host name.
    if (gethostname(host, sizeof host - 1) == 0) settings->node_name = lower_case(host);
  }
  return settings;
}

}  // namespace imageswitch
