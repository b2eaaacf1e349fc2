#include "proxy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

namespace imageswitch {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

/// An IPv4 or IPv6 address as 16 bytes (IPv4 in the first 4) and its bit length; false when
/// `text` is not a literal address.
bool parse_ip(const std::string& text, std::array<unsigned char, 16>& bytes, int& bits) {
  bytes.fill(0);
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
    bits = 32;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
    bits = 128;
    return true;
  }
  return false;
}

/// True when `host` is an address inside the CIDR `cidr` ("10.0.0.0/16").
bool cidr_contains(std::string_view cidr, const std::string& host) {
  const auto slash = cidr.find('/');
  std::array<unsigned char, 16> net{}, addr{};
  int net_bits = 0, addr_bits = 0;
  if (!parse_ip(std::string(cidr.substr(0, slash)), net, net_bits)) return false;
  if (!parse_ip(host, addr, addr_bits) || addr_bits != net_bits) return false;
  const std::string prefix_text(cidr.substr(slash + 1));
  char* end = nullptr;
  const long prefix = std::strtol(prefix_text.c_str(), &end, 10);
  if (prefix_text.empty() || *end != '\0' || prefix < 0 || prefix > net_bits) return false;
  for (long bit = 0; bit < prefix; ++bit) {
    const unsigned char mask = static_cast<unsigned char>(0x80 >> (bit % 8));
    if ((net[bit / 8] & mask) != (addr[bit / 8] & mask)) return false;
  }
  return true;
}

/// One NO_PROXY entry (lower-case, trimmed, not a CIDR) against `target`.
bool entry_matches(std::string entry, const Url& target) {
  std::string port;
  if (entry.front() == '[') {  // "[v6]" or "[v6]:port"
    const auto close = entry.find(']');
    if (close == std::string::npos) return false;
    if (close + 1 < entry.size() && entry[close + 1] == ':') port = entry.substr(close + 2);
    entry = entry.substr(1, close - 1);
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
    port = entry.substr(entry.find(':') + 1);
    entry = entry.substr(0, entry.find(':'));
  }
  if (!port.empty() && port != target.effective_port()) return false;
  std::array<unsigned char, 16> a{}, b{};
  int a_bits = 0, b_bits = 0;
  if (parse_ip(entry, a, a_bits))
    return parse_ip(target.host, b, b_bits) && a_bits == b_bits && a == b;
  if (entry.rfind("*.", 0) == 0) entry = entry.substr(1);
  const bool match_self = entry.front() != '.';
  const std::string suffix = match_self ? "." + entry : entry;
  const std::string& host = target.host;
  if (match_self && host == entry) return true;
  return host.size() > suffix.size() &&
         host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* first_set(const EnvLookup& env, const char* upper, const char* lower) {
  const char* value = env(upper);
  if (value == nullptr || *value == '\0') value = env(lower);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

bool no_proxy_matches(std::string_view no_proxy, const Url& target) {
  while (!no_proxy.empty()) {
    const auto comma = no_proxy.find(',');
    std::string entry(trim(no_proxy.substr(0, comma)));
    no_proxy = comma == std::string_view::npos ? std::string_view() : no_proxy.substr(comma + 1);
    for (char& c : entry) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.find('/') != std::string::npos ? cidr_contains(entry, target.host)
                                             : entry_matches(entry, target))
      return true;
  }
  return false;
}

std::string proxy_for(const Url& target, const EnvLookup& env) {
  const char* proxy = nullptr;
  if (target.scheme == "https") proxy = first_set(env, "HTTPS_PROXY", "https_proxy");
  if (target.scheme == "http") proxy = first_set(env, "HTTP_PROXY", "http_proxy");
  if (proxy == nullptr) return "";
  if (const char* exempt = first_set(env, "NO_PROXY", "no_proxy"))
    if (no_proxy_matches(exempt, target)) return "";
  std::string url(trim(proxy));
  if (url.find("://") == std::string::npos) url = "http://" + url;
  return url;
}

std::string proxy_for(const Url& target) {
  return proxy_for(target, [](const char* name) -> const char* { return std::getenv(name); });
}

}  // namespace imageswitch
