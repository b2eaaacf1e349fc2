// OCI distribution client: manifests (index → this machine's platform), blobs, digests checked
// against the body, Basic/Bearer auth from the docker auth file, per-registry CA from certs.d,
// plain HTTP only for endpoints registries.conf marks insecure.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "auth_file.h"
#include "http_client.h"
#include "registries_conf.h"
#include "result.h"

namespace imageswitch {

/// Media types the client accepts and recognises.
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";

/// The manifest digest for linux/`arch` in the index `index_body` (`what` names it in errors).
Result<std::string> platform_digest(std::string_view index_body, const std::string& arch,
                                    const std::string& what);

/// Largest manifest body read.
inline constexpr std::size_t kMaxManifestBytes = 4 << 20;

/// A fetched manifest whose digest was computed from `body`.
struct Manifest {
  std::string media_type;
  std::string body;
  std::string digest;  ///< "sha256:<hex>" of body
  bool is_index() const { return media_type == kOciIndex || media_type == kDockerList; }
};

/// Client settings.
struct RegistryOptions {
  AuthFile auth;
  std::string certs_d = "/etc/containers/certs.d";
  std::string architecture;  ///< GOARCH name ("amd64"); empty: from uname -m
  HttpOptions http;
};

/// "sha256:<hex>" of `bytes` (OpenSSL).
std::string sha256_digest(std::string_view bytes);

/// The GOARCH name for a uname -m machine name (x86_64→amd64, aarch64→arm64, …).
std::string goarch_for(std::string_view machine);

/// This machine's GOARCH name.
std::string host_architecture();

/// A registry client; one per agent run (connections and tokens are reused).
class RegistryClient {
 public:
  explicit RegistryClient(RegistryOptions options);
  /// GETs manifest `reference` (tag or digest) from `ep`; checks the body digest against a
  /// requested digest and Docker-Content-Digest; the body must be a known manifest type.
  Result<Manifest> get_manifest(const Endpoint& ep, const std::string& reference);
  /// Like get_manifest, but a 404 answer yields nothing instead of an error.
  Result<std::optional<Manifest>> find_manifest(const Endpoint& ep, const std::string& reference);
  /// HEADs manifest `reference`; returns Docker-Content-Digest ("" when absent).
  Result<std::string> head_manifest(const Endpoint& ep, const std::string& reference);
  /// The manifest digest of `reference` for this architecture (an index is resolved through its
  /// entry for linux/<arch>; nested indexes are refused).
  Result<std::string> resolve_digest(const Endpoint& ep, const std::string& reference);
  /// GETs blob `digest` (at most `limit` bytes) and checks its digest.
  Result<std::string> get_blob(const Endpoint& ep, const std::string& digest, std::size_t limit);
  /// HTTP requests made so far (attempts, token requests included).
  std::uint64_t request_count() const { return http_.request_count(); }
  /// The GOARCH name used for index selection.
  const std::string& architecture() const { return arch_; }

 private:
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
    AuthChallenge challenge;  ///< to renew the token without another 401
  };
  Result<HttpResponse> request(const Endpoint& ep, const std::string& method,
                               const std::string& suffix, std::size_t max_body);
  Result<HttpResponse> send_with_auth(const Endpoint& ep, HttpRequest req);
  Result<std::string> fetch_token(const Endpoint& ep, const AuthChallenge& ch);
  Result<std::string> base_url(const Endpoint& ep);
  /// Whether `scheme`://`url_host`/v2/ answers at all, TLS unverified and without credentials.
  bool answers_unverified(const std::string& scheme, const std::string& url_host);
  const std::string& ca_for(const std::string& host);
  /// The Usage error for a registry that wants credentials the auth file lacks.
  Error no_credentials(const Endpoint& ep) const;
  /// Maps a failed request to the exit-code table (missing credentials, untrusted TLS and plain
  /// HTTP not allowed are local files: Usage).
  Result<HttpResponse> classify_failure(const Endpoint& ep, Result<HttpResponse> result);

  RegistryOptions options_;
  std::string arch_;
  HttpClient http_;
  std::map<std::string, Token> tokens_;        ///< repository → bearer token
  std::map<std::string, bool> basic_;          ///< host → send Basic credentials
  std::map<std::string, std::string> scheme_;  ///< host → "https" | "http"
  std::map<std::string, std::string> ca_;      ///< host → PEM bundle ("" = system)
};

}  // namespace imageswitch
