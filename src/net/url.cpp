#include "url.h"

#include <algorithm>
#include <cctype>

namespace imageswitch {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/// Splits "host[:port]" or "[v6]:port" into `url`; false when malformed.
bool split_host_port(std::string_view hostport, Url& url) {
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return false;
    url.host = lower(hostport.substr(1, close - 1));
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    url.port = rest.empty() ? "" : std::string(rest.substr(1));
  } else {
    const auto colon = hostport.rfind(':');
    url.host = lower(hostport.substr(0, colon));
    url.port = colon == std::string_view::npos ? "" : std::string(hostport.substr(colon + 1));
  }
  return !url.host.empty() && std::all_of(url.port.begin(), url.port.end(),
                                          [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return port.empty() ? out : out + ":" + port;
}

std::string Url::effective_port() const {
  if (!port.empty()) return port;
  return scheme == "https" ? "443" : scheme == "http" ? "80" : "";
}

std::optional<Url> parse_url(std::string_view text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  Url url;
  url.scheme = lower(text.substr(0, sep));
  if (!std::all_of(url.scheme.begin(), url.scheme.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '-' || c == '.';
      }))
    return std::nullopt;
  std::string_view rest = text.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    url.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  if (!split_host_port(authority, url)) return std::nullopt;
  return url;
}

std::string redact_url(std::string_view text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::string(text);
  const auto start = sep + 3;
  const auto end = text.find_first_of("/?#", start);
  const std::string_view authority =
      text.substr(start, end == std::string_view::npos ? end : end - start);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  return std::string(text.substr(0, start)) + "***@" + std::string(text.substr(start + at + 1));
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    if (is_unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace imageswitch
