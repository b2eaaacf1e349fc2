#include "policy.h"

#include <nlohmann/json.hpp>

#include "auth_file.h"
#include "fileutil.h"
#include "json_util.h"

namespace imageswitch {
namespace {

using json = nlohmann::json;

Error policy_error(std::string_view origin, const std::string& why) {
  return make_error(ErrorKind::Usage,
                    "Failed to parse policy '" + std::string(origin) + "': " + why);
}

Result<void> only_keys(const json& j, std::initializer_list<std::string_view> allowed,
                       std::string_view origin, const std::string& what) {
  for (auto& [k, v] : j.items()) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || k == a;
    if (!ok) return policy_error(origin, what + " has unknown field '" + k + "'");
  }
  return {};
}

Result<std::string> string_field(const json& j, const char* key, std::string_view origin,
                                 const std::string& what) {
  if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty())
    return policy_error(origin, what + " needs a non-empty string '" + key + "'");
  return j[key].get<std::string>();
}

Result<SignedIdentity> parse_identity(const json& j, std::string_view origin) {
  SignedIdentity id;
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    return policy_error(origin, "signedIdentity needs a string 'type'");
  std::string t = j["type"].get<std::string>();
  using T = SignedIdentity::Type;
  if (t == "matchRepoDigestOrExact" || t == "matchExact" || t == "matchRepository") {
    TRY(only_keys(j, {"type"}, origin, "signedIdentity '" + t + "'"));
    id.type = t == "matchExact"        ? T::MatchExact
              : t == "matchRepository" ? T::MatchRepository
                                       : T::MatchRepoDigestOrExact;
  } else if (t == "exactReference" || t == "exactRepository") {
    bool ref = t == "exactReference";
    const char* key = ref ? "dockerReference" : "dockerRepository";
    TRY(only_keys(j, {"type", key}, origin, "signedIdentity '" + t + "'"));
    auto s = string_field(j, key, origin, "signedIdentity '" + t + "'");
    if (!s) return s.error();
    auto parsed = ref ? parse_image_ref(*s) : parse_repository(*s);
    if (!parsed) return policy_error(origin, parsed.error().message);
    if (ref && parsed->tag.empty() && parsed->digest.empty())
      return policy_error(origin, "exactReference '" + *s + "' needs a tag or digest");
    id.type = ref ? T::ExactReference : T::ExactRepository;
    id.reference = *parsed;
  } else if (t == "remapIdentity") {
    TRY(only_keys(j, {"type", "prefix", "signedPrefix"}, origin, "signedIdentity 'remapIdentity'"));
    auto p = string_field(j, "prefix", origin, "remapIdentity");
    if (!p) return p.error();
    auto sp = string_field(j, "signedPrefix", origin, "remapIdentity");
    if (!sp) return sp.error();
    id.type = T::RemapIdentity;
    id.prefix = *p;
    id.signed_prefix = *sp;
  } else {
    return policy_error(origin, "unknown signedIdentity type '" + t + "'");
  }
  return id;
}

Result<PublicKey> key_from(const std::string& pem, const std::string& origin_name,
                           std::string_view origin) {
  auto k = load_public_key(pem, origin_name);
  if (!k) return policy_error(origin, k.error().message);
  return k;
}

Result<void> parse_keys(const json& j, Requirement& r, std::string_view origin) {
  int forms = 0;
  for (const char* f : {"keyPath", "keyPaths", "keyData", "keyDatas"})
    forms += j.contains(f) ? 1 : 0;
  if (forms != 1)
    return policy_error(origin,
                        "sigstoreSigned needs exactly one of keyPath, keyPaths, keyData, keyDatas");
  auto list = [&](const char* single, const char* multi) -> Result<std::vector<std::string>> {
    std::vector<std::string> out;
    if (j.contains(single)) {
      auto s = string_field(j, single, origin, "sigstoreSigned");
      if (!s) return s.error();
      out.push_back(*s);
    } else if (j.contains(multi)) {
      if (!j[multi].is_array() || j[multi].empty())
        return policy_error(origin, std::string("'") + multi + "' must be a non-empty array");
      for (const auto& e : j[multi]) {
        if (!e.is_string() || e.get<std::string>().empty())
          return policy_error(origin, std::string("'") + multi + "' must hold non-empty strings");
        out.push_back(e.get<std::string>());
      }
    }
    return out;
  };
  auto paths = list("keyPath", "keyPaths");
  if (!paths) return paths.error();
  for (const std::string& p : *paths) {
    auto pem = read_file(p);
    if (!pem) return policy_error(origin, "cannot read key '" + p + "': " + pem.error().message);
    auto k = key_from(*pem, "'" + p + "'", origin);
    if (!k) return k.error();
    r.keys.push_back(std::move(*k));
  }
  auto datas = list("keyData", "keyDatas");
  if (!datas) return datas.error();
  for (std::size_t i = 0; i < datas->size(); ++i) {
    auto pem = base64_decode((*datas)[i]);
    if (!pem) return policy_error(origin, "keyData is not valid base64");
    auto k = key_from(*pem, "keyData #" + std::to_string(i + 1), origin);
    if (!k) return k.error();
    r.keys.push_back(std::move(*k));
  }
  return {};
}

Result<Requirement> parse_requirement(const json& j, std::string_view origin) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    return policy_error(origin, "a requirement needs a string 'type'");
  std::string t = j["type"].get<std::string>();
  Requirement r;
  using T = Requirement::Type;
  if (t == "insecureAcceptAnything" || t == "reject") {
    TRY(only_keys(j, {"type"}, origin, "requirement '" + t + "'"));
    r.type = t == "reject" ? T::Reject : T::InsecureAcceptAnything;
    return r;
  }
  if (t == "signedBy") {
    r.type = T::Unsupported;
    r.unsupported = "GPG signatures ('signedBy') are not supported by imageswitch";
    return r;
  }
  if (t != "sigstoreSigned") return policy_error(origin, "unknown requirement type '" + t + "'");
  for (const char* f : {"fulcio", "pki", "rekorPublicKeyPath", "rekorPublicKeyPaths",
                        "rekorPublicKeyData", "rekorPublicKeyDatas"}) {
    if (j.contains(f)) {
      r.type = T::Unsupported;
      r.unsupported =
          std::string("sigstoreSigned with '") + f + "' is not supported by imageswitch";
      return r;
    }
  }
  TRY(only_keys(j, {"type", "keyPath", "keyPaths", "keyData", "keyDatas", "signedIdentity"}, origin,
                "requirement 'sigstoreSigned'"));
  r.type = T::SigstoreSigned;
  TRY(parse_keys(j, r, origin));
  if (j.contains("signedIdentity")) {
    auto id = parse_identity(j["signedIdentity"], origin);
    if (!id) return id.error();
    r.identity = *id;
  }
  return r;
}

Result<std::vector<Requirement>> parse_list(const json& j, std::string_view origin,
                                            const std::string& scope) {
  if (!j.is_array() || j.empty())
    return policy_error(origin, "requirements of '" + scope + "' must be a non-empty array");
  std::vector<Requirement> out;
  for (const auto& e : j) {
    auto r = parse_requirement(e, origin);
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

// The reason part of a file helper's "Failed to open 'path': reason".
std::string strip_prefix(const std::string& message, const std::string& path) {
  const std::string marker = "'" + path + "': ";
  auto pos = message.find(marker);
  return pos == std::string::npos ? message : message.substr(pos + marker.size());
}

}  // namespace

const std::vector<Requirement>& Policy::requirements_for(const ImageRef& ref,
                                                         std::string* scope) const {
  for (const std::string& s : ref_scopes(ref)) {
    if (auto it = docker.find(s); it != docker.end()) {
      if (scope) *scope = s;
      return it->second;
    }
  }
  if (scope) *scope = "default";
  return default_requirements;
}

Result<Policy> parse_policy(std::string_view text, std::string_view origin) {
  auto parsed = parse_json_strict(text, "policy", {1 << 20, 32});
  if (!parsed)  // "policy: <why>" → "<why>"
    return policy_error(origin, parsed.error().message.substr(std::string_view("policy: ").size()));
  const json& j = *parsed;
  if (!j.is_object()) return policy_error(origin, "not a JSON object");
  TRY(only_keys(j, {"default", "transports"}, origin, "the policy"));
  Policy p;
  if (!j.contains("default")) return policy_error(origin, "no 'default' requirements");
  auto d = parse_list(j["default"], origin, "default");
  if (!d) return d.error();
  p.default_requirements = std::move(*d);
  if (j.contains("transports")) {
    if (!j["transports"].is_object()) return policy_error(origin, "'transports' must be an object");
    if (j["transports"].contains("docker")) {
      const json& docker = j["transports"]["docker"];
      if (!docker.is_object()) return policy_error(origin, "'transports.docker' must be an object");
      for (auto& [scope, list] : docker.items()) {
        if (scope.empty()) {
          auto l = parse_list(list, origin, "docker default");
          if (!l) return l.error();
          p.default_requirements = std::move(*l);  // "" is the transport's default
          continue;
        }
        auto l = parse_list(list, origin, scope);
        if (!l) return l.error();
        p.docker[scope] = std::move(*l);
      }
    }
  }
  return p;
}

Result<Policy> load_policy(const std::string& path) {
  // A missing or unreadable policy is a local file an admin must fix (exit 2), like a broken one.
  auto text = read_file(path);
  if (!text)
    return make_error(ErrorKind::Usage, "Failed to read policy '" + path +
                                            "': " + strip_prefix(text.error().message, path) +
                                            " (install containers-policy.json(5))");
  return parse_policy(*text, path);
}

}  // namespace imageswitch
