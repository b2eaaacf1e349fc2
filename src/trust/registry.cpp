#include "registry.h"

#include "json_util.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <sys/utsname.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "fileutil.h"
#include "text.h"

namespace imageswitch {
namespace {

std::string accept_header() {
  return "Accept: " + std::string(kOciIndex) + ", " + std::string(kOciManifest) + ", " +
         std::string(kDockerList) + ", " + std::string(kDockerManifest);
}

Error http_error(const std::string& what, const HttpResponse& resp) {
  ErrorKind kind = ErrorKind::Temporary;
  std::string why = "HTTP " + std::to_string(resp.status);
  if (resp.status == 401 || resp.status == 403) {
    kind = ErrorKind::Degraded;
    why += resp.status == 401 ? " (authentication required or refused)" : " (access denied)";
  } else if (resp.status == 404) {
    kind = ErrorKind::Degraded;
    why += " (not found)";
  }
  return make_error(kind, "Failed to fetch " + what + ": " + why);
}

// The media type from the body (mediaType, else by shape), checked against Content-Type.
Result<std::string> manifest_type(const std::string& what, const nlohmann::json& j,
                                  const std::string& content_type) {
  std::string mt = j.contains("mediaType") && j["mediaType"].is_string()
                       ? j["mediaType"].get<std::string>()
                       : std::string();
  if (mt.empty()) {
    std::string ct = content_type.substr(0, content_type.find(';'));
    mt = ct;
  }
  if (mt.empty() && j.contains("manifests")) mt = kOciIndex;
  if (mt.empty() && j.contains("layers")) mt = kOciManifest;
  if (mt != kOciIndex && mt != kOciManifest && mt != kDockerList && mt != kDockerManifest)
    return make_error(ErrorKind::Degraded, "Failed to parse manifest " + what +
                                               ": unsupported media type '" + printable(mt, 128) +
                                               "'");
  bool index = mt == kOciIndex || mt == kDockerList;
  if (index && !(j.contains("manifests") && j["manifests"].is_array()))
    return make_error(ErrorKind::Degraded,
                      "Failed to parse manifest " + what + ": index without 'manifests'");
  if (!index && !(j.contains("layers") && j["layers"].is_array() && j.contains("config")))
    return make_error(ErrorKind::Degraded, "Failed to parse manifest " + what +
                                               ": image manifest without 'config'/'layers'");
  return mt;
}

}  // namespace

std::string sha256_digest(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string goarch_for(std::string_view m) {
  if (m == "x86_64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m == "ppc64le") return "ppc64le";
  if (m == "s390x") return "s390x";
  return std::string(m);
}

std::string host_architecture() {
  struct utsname u {};
  if (uname(&u) != 0) return "amd64";
  return goarch_for(u.machine);
}

RegistryClient::RegistryClient(RegistryOptions options)
    : options_(std::move(options)),
      arch_(options_.architecture.empty() ? host_architecture()
                                          : goarch_for(options_.architecture)),
      http_(options_.http) {}

const std::string& RegistryClient::ca_for(const std::string& host) {
  auto it = ca_.find(host);
  if (it != ca_.end()) return it->second;
  std::string dir = options_.certs_d + "/" + host;
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 4 && n.compare(n.size() - 4, 4, ".crt") == 0) files.push_back(dir + "/" + n);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  std::string pem;
  if (!files.empty()) {
    for (const char* sys :
         {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"})
      if (auto text = read_file(sys, 16 << 20)) {
        pem = *text + "\n";
        break;
      }
    for (const std::string& f : files)
      if (auto text = read_file(f)) pem += *text + "\n";
  }
  return ca_[host] = pem;
}

Result<std::string> RegistryClient::base_url(const Endpoint& ep) {
  std::string host = ep.host();
  std::string url_host = ep.wire_host();
  auto it = scheme_.find(host);
  if (it == scheme_.end() && !ep.insecure) it = scheme_.emplace(host, "https").first;
  if (it == scheme_.end()) {
    // insecure: try TLS without verification first, fall back to plain HTTP.
    it = scheme_.emplace(host, answers_unverified("https", url_host) ? "https" : "http").first;
  }
  return it->second + "://" + url_host + "/v2/" + ep.path();
}

// Probes carry no credentials; naming the host as the one insecure target is what lets the one
// HTTP client skip verification (or speak plain HTTP) for exactly this request.
bool RegistryClient::answers_unverified(const std::string& scheme, const std::string& url_host) {
  HttpRequest probe;
  probe.url = scheme + "://" + url_host + "/v2/";
  probe.max_body = 64 << 10;
  probe.tls.verify = false;
  probe.insecure_host = url_host;
  probe.attempts = 1;
  return static_cast<bool>(http_.send(probe));
}

Result<std::string> RegistryClient::fetch_token(const Endpoint& ep, const AuthChallenge& ch) {
  auto realm = ch.params.find("realm");
  if (realm == ch.params.end() || realm->second.empty())
    return make_error(ErrorKind::Degraded, "Failed to authenticate to '" + ep.host() +
                                               "': Bearer challenge without realm");
  std::string url = realm->second;
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
    return make_error(ErrorKind::Degraded, "Failed to authenticate to '" + ep.host() +
                                               "': token realm '" + printable(url, 256) +
                                               "' is not an http(s) URL");
  std::string scope = "repository:" + ep.path() + ":pull";
  if (auto s = ch.params.find("scope"); s != ch.params.end() && !s->second.empty())
    scope = s->second;
  url += (url.find('?') == std::string::npos ? "?" : "&");
  if (auto s = ch.params.find("service"); s != ch.params.end())
    url += "service=" + url_encode(s->second) + "&";
  url += "scope=" + url_encode(scope);
  std::string realm_host = url.substr(url.find("://") + 3);
  realm_host = realm_host.substr(0, realm_host.find_first_of("/?"));
  HttpRequest req;
  req.url = url;
  req.max_body = 1 << 20;
  req.tls.ca_pem = ca_for(realm_host);
  req.tls.verify = !ep.insecure;                   // the net layer verifies any other host
  if (ep.insecure) req.insecure_host = ep.host();  // credentials in clear text: only to it
  if (auto cred = options_.auth.lookup(ep.repository))
    req.headers.push_back("Authorization: Basic " +
                          base64_encode(cred->username + ":" + cred->password));
  auto resp = http_.send(req);
  if (!resp) return wrap_once("Failed to get a token for '" + ep.repository + "'", resp.error());
  if (resp->status == 401 && !options_.auth.lookup(ep.repository)) return no_credentials(ep);
  if (resp->status != 200)
    return wrap("Failed to authenticate to '" + ep.host() + "'",
                http_error("token from '" + printable(realm->second, 256) + "'", *resp));
  auto parsed =
      parse_json_strict(resp->body, "token answer from '" + printable(realm->second, 256) + "'");
  if (!parsed) return wrap("Failed to authenticate to '" + ep.host() + "'", parsed.error());
  const nlohmann::json& j = *parsed;
  std::string token;
  if (j.is_object()) {
    for (const char* k : {"token", "access_token"})
      if (j.contains(k) && j[k].is_string() && !j[k].get<std::string>().empty()) {
        token = j[k].get<std::string>();
        break;
      }
  }
  if (token.empty())
    return make_error(ErrorKind::Degraded, "Failed to authenticate to '" + ep.host() +
                                               "': token endpoint answered without 'token'");
  long expires = 60;
  if (j.contains("expires_in") && j["expires_in"].is_number_integer())
    expires = std::max<long>(j["expires_in"].get<long>(), 1);
  tokens_[ep.repository] =
      Token{token, std::chrono::steady_clock::now() + std::chrono::seconds(expires), ch};
  return token;
}

Result<HttpResponse> RegistryClient::send_with_auth(const Endpoint& ep, HttpRequest req) {
  const std::size_t plain = req.headers.size();
  bool refreshed = false;
  for (int round = 0; round < 3; ++round) {
    req.headers.resize(plain);
    auto tok = tokens_.find(ep.repository);
    if (tok != tokens_.end() && tok->second.expires <= std::chrono::steady_clock::now()) {
      AuthChallenge ch = tok->second.challenge;  // expired: ask the same realm for a new one
      tokens_.erase(tok);
      if (auto t = fetch_token(ep, ch); !t) return t.error();
      refreshed = true;
      tok = tokens_.find(ep.repository);
    }
    if (tok != tokens_.end()) {
      req.headers.push_back("Authorization: Bearer " + tok->second.value);
    } else if (basic_[ep.host()]) {
      if (auto cred = options_.auth.lookup(ep.repository))
        req.headers.push_back("Authorization: Basic " +
                              base64_encode(cred->username + ":" + cred->password));
    }
    auto resp = http_.send(req);
    if (!resp || resp->status != 401) return resp;
    bool had_auth = req.headers.size() > plain;
    if (had_auth && refreshed) return resp;  // fresh credentials were refused
    auto ch = parse_www_authenticate(resp->header("www-authenticate"));
    if (!ch) return resp;
    if (ch->scheme == "bearer") {
      auto t = fetch_token(ep, *ch);
      if (!t) return t.error();
    } else if (ch->scheme == "basic") {
      if (!options_.auth.lookup(ep.repository)) return no_credentials(ep);
      basic_[ep.host()] = true;
    } else {
      return resp;
    }
    refreshed = true;
  }
  return make_error(ErrorKind::Degraded, "Failed to authenticate to '" + ep.host() + "'");
}

Result<HttpResponse> RegistryClient::request(const Endpoint& ep, const std::string& method,
                                             const std::string& suffix, std::size_t max_body) {
  auto base = base_url(ep);
  if (!base) return base.error();
  HttpRequest req;
  req.method = method;
  req.url = *base + suffix;
  req.headers = {accept_header()};
  req.max_body = max_body;
  req.tls.ca_pem = ca_for(ep.host());
  req.tls.verify = !ep.insecure;
  if (ep.insecure) req.insecure_host = ep.host();
  return classify_failure(ep, send_with_auth(ep, std::move(req)));
}

Result<std::string> RegistryClient::head_manifest(const Endpoint& ep,
                                                  const std::string& reference) {
  std::string what = "'" + ep.repository + (reference.find(':') != std::string::npos ? "@" : ":") +
                     reference + "'";
  auto resp = request(ep, "HEAD", "/manifests/" + reference, kMaxManifestBytes);
  if (!resp) return resp.error();
  if (resp->status != 200) return http_error("manifest " + what, *resp);
  return resp->header("docker-content-digest");
}

Result<Manifest> RegistryClient::get_manifest(const Endpoint& ep, const std::string& reference) {
  auto m = find_manifest(ep, reference);
  if (!m) return m.error();
  if (!*m) {
    bool by_digest = reference.find(':') != std::string::npos;
    return make_error(ErrorKind::Degraded, "Failed to fetch manifest '" + ep.repository +
                                               (by_digest ? "@" : ":") + reference +
                                               "': HTTP 404 (not found)");
  }
  return std::move(**m);
}

Result<std::optional<Manifest>> RegistryClient::find_manifest(const Endpoint& ep,
                                                              const std::string& reference) {
  bool by_digest = reference.find(':') != std::string::npos;
  std::string what = "'" + ep.repository + (by_digest ? "@" : ":") + reference + "'";
  auto resp = request(ep, "GET", "/manifests/" + reference, kMaxManifestBytes);
  if (!resp) return wrap_once("Failed to fetch manifest " + what, resp.error());
  if (resp->status == 404) return std::optional<Manifest>();
  if (resp->status != 200) return http_error("manifest " + what, *resp);
  Manifest m;
  m.body = std::move(resp->body);
  m.digest = sha256_digest(m.body);
  if (by_digest && m.digest != reference)
    return make_error(ErrorKind::Degraded,
                      "Failed to verify manifest " + what + ": body digest is " + m.digest);
  std::string dcd = resp->header("docker-content-digest");
  if (!dcd.empty() && dcd != m.digest)
    return make_error(ErrorKind::Degraded, "Failed to verify manifest " + what +
                                               ": Docker-Content-Digest " + printable(dcd, 80) +
                                               " differs from the body digest " + m.digest);
  auto parsed =
      parse_json_strict(m.body, "Failed to parse manifest " + what, {kMaxManifestBytes, 32});
  if (!parsed) return parsed.error();
  const nlohmann::json& j = *parsed;
  if (!j.is_object())
    return make_error(ErrorKind::Degraded,
                      "Failed to parse manifest " + what + ": not a JSON object");
  auto mt = manifest_type(what, j, resp->header("content-type"));
  if (!mt) return mt.error();
  m.media_type = *mt;
  return std::optional<Manifest>(std::move(m));
}

Result<std::string> platform_digest(std::string_view index_body, const std::string& arch,
                                    const std::string& what) {
  const auto parsed = parse_json_strict(index_body, "Failed to parse index of '" + what + "'");
  if (!parsed) return parsed.error();
  const auto& manifests = json_member(*parsed, "manifests");
  if (!manifests.is_array())
    return make_error(ErrorKind::Degraded,
                      "Failed to parse index of '" + what + "': no 'manifests' array");
  std::string seen;  // the platforms offered, for the error message
  for (const auto& d : manifests) {
    const auto& p = json_member(d, "platform");
    if (!p.is_object()) continue;
    const std::string os = json_string(p, "os"), a = json_string(p, "architecture"),
                      variant = json_string(p, "variant");
    if (seen.size() < 512)
      seen += (seen.empty() ? "" : ", ") +
              printable(os + "/" + a + (variant.empty() ? "" : "/" + variant), 64);
    if (os != "linux" || a != arch) continue;
    if (arch == "arm64" && !variant.empty() && variant != "v8") continue;
    const std::string type = json_string(d, "mediaType");
    if (type == kOciIndex || type == kDockerList)
      return make_error(ErrorKind::Degraded,
                        "Failed to resolve '" + what + "': nested index is not supported");
    std::string digest = json_string(d, "digest");
    if (digest.rfind("sha256:", 0) != 0 || digest.size() != 71 ||
        digest.find_first_not_of("0123456789abcdef", 7) != std::string::npos)
      return make_error(ErrorKind::Degraded, "Failed to parse index of '" + what +
                                                 "': bad digest '" + printable(digest, 80) + "'");
    return digest;
  }
  return make_error(ErrorKind::Degraded, "Failed to resolve '" + what +
                                             "': the index has no manifest for linux/" + arch +
                                             " (has: " + seen + ")");
}

Result<std::string> RegistryClient::resolve_digest(const Endpoint& ep,
                                                   const std::string& reference) {
  auto m = get_manifest(ep, reference);
  if (!m) return m.error();
  if (!m->is_index()) return m->digest;
  // The index entry names the per-platform digest; deploying by digest makes it exact, so the
  // platform manifest itself need not be fetched (one request per check).
  return platform_digest(m->body, arch_, ep.repository + ":" + reference);
}

Result<std::string> RegistryClient::get_blob(const Endpoint& ep, const std::string& digest,
                                             std::size_t limit) {
  std::string what = "blob '" + ep.repository + "@" + digest + "'";
  auto resp = request(ep, "GET", "/blobs/" + digest, limit);
  if (!resp) return wrap_once("Failed to fetch " + what, resp.error());
  if (resp->status != 200) return http_error(what, *resp);
  if (sha256_digest(resp->body) != digest)
    return make_error(ErrorKind::Degraded, "Failed to verify " + what + ": content digest differs");
  return std::move(resp->body);
}

}  // namespace imageswitch
