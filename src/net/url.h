// URLs as the HTTP client needs them: the parts that decide where credentials may go (scheme,
// host, port, user information), redaction for messages, and the one percent-encoder.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace imageswitch {

/// The parts of "scheme://[user[:password]@]host[:port][/path][?query]".
struct Url {
  std::string scheme;    ///< lower-case ("https")
  std::string userinfo;  ///< "user:password" or ""; a secret
  std::string host;      ///< lower-case, IPv6 without brackets
  std::string port;      ///< as written, "" when absent
  /// "host[:port]" (IPv6 in brackets), the way registries and messages name a server.
  std::string authority() const;
  /// The port, or the scheme's default (443 for https, 80 for http).
  std::string effective_port() const;
};

/// Splits `text`; nothing when it has no "scheme://host".
std::optional<Url> parse_url(std::string_view text);

/// `text` with its user information (if any) replaced by "***", for messages.
std::string redact_url(std::string_view text);

/// Percent-encodes `text` for a path segment or query value (RFC 3986: only unreserved
/// characters A-Z a-z 0-9 - . _ ~ stay as they are).
std::string url_encode(std::string_view text);

}  // namespace imageswitch
