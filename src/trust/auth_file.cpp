#include "auth_file.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "fileutil.h"
#include "json_util.h"
#include "text.h"

namespace imageswitch {
namespace {

/// Larger than any real auth file (a few hundred registries); the reader and parser agree.
constexpr std::size_t kMaxAuthFileBytes = 1 << 20;
/// A challenge names a realm, a service and a scope: far below this.
constexpr std::size_t kMaxChallengeBytes = 4096;

Result<Credentials> parse_entry(const nlohmann::json& v, const std::string& key,
                                std::string_view origin) {
  auto bad = [&](std::string why) {
    return make_error(ErrorKind::Usage, "Failed to parse auth file '" + std::string(origin) +
                                            "': entry '" + key + "': " + why);
  };
  if (!v.is_object()) return bad("not an object");
  Credentials c;
  if (auto it = v.find("auth");
      it != v.end() && it->is_string() && !it->get<std::string>().empty()) {
    auto decoded = base64_decode(it->get<std::string>());
    if (!decoded) return bad("'auth' is not valid base64");
    auto colon = decoded->find(':');
    if (colon == std::string::npos) return bad("'auth' does not decode to user:password");
    c.username = decoded->substr(0, colon);
    c.password = decoded->substr(colon + 1);
    return c;
  }
  if (v.contains("username") && v.contains("password") && v["username"].is_string() &&
      v["password"].is_string()) {
    c.username = v["username"].get<std::string>();
    c.password = v["password"].get<std::string>();
    return c;
  }
  return bad("no 'auth' field");
}

}  // namespace

std::string normalise_auth_key(std::string_view key) {
  std::string k(key);
  for (std::string_view scheme : {"https://", "http://"})
    if (k.rfind(scheme, 0) == 0) k.erase(0, scheme.size());
  if (k.size() >= 4 && k.compare(k.size() - 4, 4, "/v1/") == 0) k.resize(k.size() - 4);
  if (k.size() >= 4 && k.compare(k.size() - 3, 3, "/v2") == 0) k.resize(k.size() - 3);
  while (!k.empty() && k.back() == '/') k.pop_back();
  auto slash = k.find('/');
  std::string host = k.substr(0, slash);
  if (host == "index.docker.io" || host == "registry-1.docker.io") {
    k = "docker.io" + (slash == std::string::npos ? std::string() : k.substr(slash));
  }
  return k;
}

std::optional<Credentials> AuthFile::lookup(const std::string& repository) const {
  std::string key = normalise_auth_key(repository);
  while (true) {
    if (auto it = entries.find(key); it != entries.end()) return it->second;
    auto slash = key.rfind('/');
    if (slash == std::string::npos) return std::nullopt;
    key.resize(slash);
  }
}

Result<AuthFile> parse_auth_file(std::string_view text, std::string_view origin) {
  const std::string what = "Failed to parse auth file '" + std::string(origin) + "'";
  auto parsed = parse_json_strict(text, what, {kMaxAuthFileBytes, 16});
  if (!parsed) return make_error(ErrorKind::Usage, parsed.error().message);
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return make_error(ErrorKind::Usage, what + ": not a JSON object");
  AuthFile out;
  auto auths = j.find("auths");
  if (auths == j.end()) return out;
  if (!auths->is_object())
    return make_error(ErrorKind::Usage, "Failed to parse auth file '" + std::string(origin) +
                                            "': 'auths' is not an object");
  std::map<std::string, std::string> first_key;  // normalised key → the key that named it
  for (auto& [key, v] : auths->items()) {
    auto c = parse_entry(v, key, origin);
    if (!c) return c.error();
    const std::string normal = normalise_auth_key(key);
    // "https://quay.io" and "quay.io" are one registry: with different credentials, which ones
    // are sent would depend on the reader; refuse instead of guessing.
    if (auto seen = out.entries.find(normal); seen != out.entries.end()) {
      if (seen->second.username == c->username && seen->second.password == c->password) continue;
      return make_error(ErrorKind::Usage, what + ": entries '" + first_key[normal] + "' and '" +
                                              key +
                                              "' name the same registry with different "
                                              "credentials; keep one");
    }
    first_key[normal] = key;
    out.entries[normal] = std::move(*c);
  }
  return out;
}

Result<AuthFile> load_auth_file(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return AuthFile{};
  auto text = read_file(path, kMaxAuthFileBytes, ErrorKind::Usage);
  if (!text) return text.error();
  return parse_auth_file(*text, path);
}

Result<AuthChallenge> parse_www_authenticate(std::string_view h) {
  auto bad = [&](std::string why) {
    return make_error(ErrorKind::Temporary, "Failed to parse WWW-Authenticate '" +
                                                printable(h, 256) + "': " + printable(why, 256));
  };
  if (h.size() > kMaxChallengeBytes)
    return bad("too large (" + std::to_string(h.size()) + " bytes, limit " +
               std::to_string(kMaxChallengeBytes) + ")");
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  skip_ws();
  std::size_t start = i;
  while (i < h.size() && h[i] != ' ' && h[i] != '\t') ++i;
  AuthChallenge c;
  c.scheme = lower_case(h.substr(start, i - start));
  if (c.scheme.empty()) return bad("no scheme");
  while (true) {
    skip_ws();
    if (i >= h.size()) break;
    std::size_t ks = i;
    while (i < h.size() && h[i] != '=' && h[i] != ',' && h[i] != ' ') ++i;
    std::string key = lower_case(h.substr(ks, i - ks));
    skip_ws();
    if (i >= h.size() || h[i] != '=') {
      if (!key.empty() && (i >= h.size() || h[i] == ',')) break;  // a second challenge begins
      return bad("expected '=' after '" + key + "'");
    }
    ++i;
    skip_ws();
    std::string value;
    if (i < h.size() && h[i] == '"') {
      ++i;
      while (i < h.size() && h[i] != '"') {
        if (h[i] == '\\' && i + 1 < h.size()) ++i;
        value += h[i++];
      }
      if (i >= h.size()) return bad("unterminated quoted value");
      ++i;
    } else {
      while (i < h.size() && h[i] != ',' && h[i] != ' ') value += h[i++];
    }
    if (key.empty()) return bad("empty parameter name");
    // realm decides where credentials go: a second one is refused, never picked first or last.
    if (!c.params.emplace(key, value).second) return bad("parameter '" + key + "' given twice");
    skip_ws();
    if (i < h.size() && h[i] == ',') ++i;
  }
  return c;
}

}  // namespace imageswitch
