// Registry credentials (docker-format auth file, as kubelet's config.json) and the
// WWW-Authenticate challenge of a 401 answer.
#pragma once

#include "base64.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace imageswitch {

/// A user name and password for one registry scope.
struct Credentials {
  std::string username;
  std::string password;
};

/// The parsed "auths" object: normalised key ("host[:port][/ns[/repo]]") → credentials.
struct AuthFile {
  std::map<std::string, Credentials> entries;
  /// The credentials of the most specific key for the repository "host/path" (repo, namespaces,
  /// then host), or nothing.
  std::optional<Credentials> lookup(const std::string& repository) const;
};

/// Parses the JSON text of an auth file named `origin` (for messages).
Result<AuthFile> parse_auth_file(std::string_view text, std::string_view origin);

/// Reads `path`; a missing file yields an empty AuthFile.
Result<AuthFile> load_auth_file(const std::string& path);

/// Strips "http(s)://", a trailing "/" or "/v1/", and maps docker.io aliases to "docker.io".
std::string normalise_auth_key(std::string_view key);

/// A parsed WWW-Authenticate challenge.
struct AuthChallenge {
  std::string scheme;                         ///< "bearer" or "basic" (lower-case)
  std::map<std::string, std::string> params;  ///< lower-case name → value (realm, service, scope)
};

/// Parses the first challenge of a WWW-Authenticate header value.
Result<AuthChallenge> parse_www_authenticate(std::string_view header);

}  // namespace imageswitch
