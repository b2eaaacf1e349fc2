#include "registries_conf.h"

#include <sys/stat.h>

#include <toml++/toml.h>

#include "fileutil.h"

namespace imageswitch {
namespace {

Error conf_error(std::string_view origin, const std::string& why) {
  return make_error(ErrorKind::Usage, "Failed to parse registries configuration '" +
                                          std::string(origin) + "': " + why);
}

Result<bool> get_bool(const toml::table& t, std::string_view key, std::string_view origin) {
  const toml::node* n = t.get(key);
  if (!n) return false;
  if (auto b = n->value<bool>()) return *b;
  std::string what = "'";  // built step by step: GCC 12 -O3 warns falsely (-Wrestrict) on a+b+c
  what.append(key).append("' must be a boolean");
  return conf_error(origin, what);
}

Result<std::string> get_string(const toml::table& t, std::string_view key,
                               std::string_view origin) {
  const toml::node* n = t.get(key);
  if (!n) return std::string();
  if (auto s = n->value<std::string>()) return *s;
  std::string what = "'";
  what.append(key).append("' must be a string");
  return conf_error(origin, what);
}

Result<MirrorConf> parse_mirror(const toml::table& t, std::string_view origin) {
  MirrorConf m;
  auto loc = get_string(t, "location", origin);
  if (!loc) return loc.error();
  if (loc->empty()) return conf_error(origin, "a [[registry.mirror]] has no 'location'");
  m.location = *loc;
  auto insecure = get_bool(t, "insecure", origin);
  if (!insecure) return insecure.error();
  m.insecure = *insecure;
  auto pull = get_string(t, "pull-from-mirror", origin);
  if (!pull) return pull.error();
  if (pull->empty() || *pull == "all")
    m.pull_from = PullFromMirror::All;
  else if (*pull == "digest-only")
    m.pull_from = PullFromMirror::DigestOnly;
  else if (*pull == "tag-only")
    m.pull_from = PullFromMirror::TagOnly;
  else
    return conf_error(origin, "'pull-from-mirror' is '" + *pull +
                                  "', expected 'all', 'digest-only' or 'tag-only'");
  return m;
}

Result<RegistryConf> parse_registry(const toml::table& t, std::string_view origin) {
  RegistryConf r;
  auto loc = get_string(t, "location", origin);
  if (!loc) return loc.error();
  auto prefix = get_string(t, "prefix", origin);
  if (!prefix) return prefix.error();
  r.location = *loc;
  r.prefix = prefix->empty() ? *loc : *prefix;
  if (r.prefix.empty())
    return conf_error(origin, "a [[registry]] has neither 'prefix' nor 'location'");
  auto insecure = get_bool(t, "insecure", origin);
  if (!insecure) return insecure.error();
  r.insecure = *insecure;
  auto blocked = get_bool(t, "blocked", origin);
  if (!blocked) return blocked.error();
  r.blocked = *blocked;
  if (const toml::node* n = t.get("mirror")) {
    const toml::array* arr = n->as_array();
    if (!arr)
      return conf_error(origin, "'mirror' of '" + r.prefix + "' must be an array of tables");
    for (const toml::node& m : *arr) {
      const toml::table* mt = m.as_table();
      if (!mt) return conf_error(origin, "'mirror' of '" + r.prefix + "' must hold tables");
      auto mirror = parse_mirror(*mt, origin);
      if (!mirror) return mirror.error();
      r.mirrors.push_back(std::move(*mirror));
    }
  }
  return r;
}

// Length of the match of `prefix` against the reference, or 0.
std::size_t match_length(const std::string& prefix, const ImageRef& ref) {
  if (prefix.rfind("*.", 0) == 0) {
    std::string host = ref.host.substr(0, ref.host.find(':'));
    std::string suffix = prefix.substr(1);
    if (host.size() > suffix.size() &&
        host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0)
      return prefix.size();
    return 0;
  }
  std::string full = ref.string();
  if (full.rfind(prefix, 0) != 0) return 0;
  if (full.size() == prefix.size()) return prefix.size();
  char next = full[prefix.size()];
  if (next == '/' || next == '@') return prefix.size();
  // ':' starts a tag only after the host part; "example.com" must not match "example.com:5000".
  if (next == ':' && prefix.find('/') != std::string::npos) return prefix.size();
  return 0;
}

// The repository name of `ref` rewritten from `prefix` to `location`.
std::string rewrite(const std::string& prefix, const std::string& location, const ImageRef& ref) {
  std::string name = ref.name();
  if (location.empty() || prefix.rfind("*.", 0) == 0) return location.empty() ? name : location;
  if (name.rfind(prefix, 0) == 0) return location + name.substr(prefix.size());
  return location;  // the prefix named a tag/digest: the location is the whole repository
}

}  // namespace

std::string Endpoint::path() const {
  auto slash = repository.find('/');
  return slash == std::string::npos ? std::string() : repository.substr(slash + 1);
}

/// Far above any real registries.conf (a few hundred mirrors); the reader refuses more.
constexpr std::size_t kMaxRegistriesConfBytes = 1 << 20;

Result<RegistriesConf> parse_registries_conf(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return conf_error(origin, std::string(e.description()));
  }
  if (root.get("registries"))
    return conf_error(origin, "the v1 format ([registries.*]) is not supported; use [[registry]]");
  RegistriesConf conf;
  if (const toml::node* n = root.get("registry")) {
    const toml::array* arr = n->as_array();
    if (!arr) return conf_error(origin, "'registry' must be an array of tables ([[registry]])");
    for (const toml::node& r : *arr) {
      const toml::table* t = r.as_table();
      if (!t) return conf_error(origin, "'registry' must hold tables");
      auto reg = parse_registry(*t, origin);
      if (!reg) return reg.error();
      conf.registries.push_back(std::move(*reg));
    }
  }
  return conf;
}

Result<RegistriesConf> load_registries_conf(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return RegistriesConf{};
  // Present but unreadable or oversized is a local file an admin must fix (exit 2).
  auto text = read_file(path, kMaxRegistriesConfBytes, ErrorKind::Usage);
  if (!text) return text.error();
  return parse_registries_conf(*text, path);
}

Result<std::vector<Endpoint>> endpoints_for(const RegistriesConf& conf, const ImageRef& ref) {
  const RegistryConf* best = nullptr;
  std::size_t best_len = 0;
  for (const RegistryConf& r : conf.registries) {
    std::size_t len = match_length(r.prefix, ref);
    if (len > best_len) {
      best = &r;
      best_len = len;
    }
  }
  if (!best) return std::vector<Endpoint>{Endpoint{ref.name(), false, false}};
  std::vector<Endpoint> out;
  bool by_digest = !ref.digest.empty();
  for (const MirrorConf& m : best->mirrors) {
    if (m.pull_from == PullFromMirror::DigestOnly && !by_digest) continue;
    if (m.pull_from == PullFromMirror::TagOnly && by_digest) continue;
    out.push_back(Endpoint{rewrite(best->prefix, m.location, ref), m.insecure, true});
  }
  if (!best->blocked)
    out.push_back(Endpoint{rewrite(best->prefix, best->location, ref), best->insecure, false});
  if (out.empty())
    return make_error(ErrorKind::Degraded,
                      "Failed to pull '" + ref.string() + "': registry '" + best->prefix +
                          "' is blocked in registries.conf and no mirror applies");
  return out;
}

}  // namespace imageswitch
