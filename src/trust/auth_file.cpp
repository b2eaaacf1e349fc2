#include "auth_file.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <cctype>
#include <nlohmann/json.hpp>

#include "fileutil.h"

namespace imageswitch {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

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
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error(ErrorKind::Usage,
                      "Failed to parse auth file '" + std::string(origin) + "': not a JSON object");
  AuthFile out;
  auto auths = j.find("auths");
  if (auths == j.end()) return out;
  if (!auths->is_object())
    return make_error(ErrorKind::Usage, "Failed to parse auth file '" + std::string(origin) +
                                            "': 'auths' is not an object");
  for (auto& [key, v] : auths->items()) {
    auto c = parse_entry(v, key, origin);
    if (!c) return c.error();
    out.entries[normalise_auth_key(key)] = std::move(*c);
  }
  return out;
}

Result<AuthFile> load_auth_file(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return AuthFile{};
  auto text = read_file(path);
  if (!text) return text.error();
  return parse_auth_file(*text, path);
}

Result<AuthChallenge> parse_www_authenticate(std::string_view h) {
  auto bad = [&](std::string why) {
    return make_error(ErrorKind::Temporary,
                      "Failed to parse WWW-Authenticate '" + std::string(h) + "': " + why);
  };
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  skip_ws();
  std::size_t start = i;
  while (i < h.size() && h[i] != ' ' && h[i] != '\t') ++i;
  AuthChallenge c;
  c.scheme = lower(h.substr(start, i - start));
  if (c.scheme.empty()) return bad("no scheme");
  while (true) {
    skip_ws();
    if (i >= h.size()) break;
    std::size_t ks = i;
    while (i < h.size() && h[i] != '=' && h[i] != ',' && h[i] != ' ') ++i;
    std::string key = lower(h.substr(ks, i - ks));
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
    c.params[key] = value;
    skip_ws();
    if (i < h.size() && h[i] == ',') ++i;
  }
  return c;
}

}  // namespace imageswitch
