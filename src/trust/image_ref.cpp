#include "image_ref.h"

#include <cctype>

namespace imageswitch {
namespace {

constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMaxTagLength = 128;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_hex_lower(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

Error parse_error(std::string_view text, std::string_view why) {
  return make_error(ErrorKind::Degraded, "Failed to parse image reference '" + std::string(text) +
                                             "': " + std::string(why));
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | "__" | "-"+
bool valid_path_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (std::size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool valid_domain_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  for (char ch : c)
    if (!is_alnum(ch) && ch != '-') return false;
  return true;
}

bool valid_host(std::string_view host) {
  std::string_view name = host;
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.front() != '[') {
    std::string_view port = host.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char ch : port)
      if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
    name = host.substr(0, colon);
  }
  if (name.empty()) return false;
  while (!name.empty()) {
    auto dot = name.find('.');
    if (!valid_domain_component(name.substr(0, dot))) return false;
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
    if (name.empty()) return false;
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > kMaxTagLength) return false;
  auto word = [](char c) { return is_alnum(c) || c == '_'; };
  if (!word(t.front())) return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

bool has_upper(std::string_view s) {
  for (char c : s)
    if (std::isupper(static_cast<unsigned char>(c))) return true;
  return false;
}

// Splits "name" into host and path the way docker does.
void split_domain(std::string_view name, std::string& host, std::string& path) {
  auto slash = name.find('/');
  std::string_view first = name.substr(0, slash);
  bool is_domain =
      slash != std::string_view::npos && (first.find_first_of(".:") != std::string_view::npos ||
                                          first == "localhost" || has_upper(first));
  if (is_domain) {
    host = std::string(first);
    path = std::string(name.substr(slash + 1));
  } else {
    host = "docker.io";
    path = std::string(name);
  }
  if (host == "index.docker.io") host = "docker.io";
  if (host == "docker.io" && path.find('/') == std::string::npos) path = "library/" + path;
}

Result<ImageRef> parse_name(std::string_view text, std::string_view name) {
  if (name.empty()) return parse_error(text, "repository name is empty");
  ImageRef ref;
  split_domain(name, ref.host, ref.path);
  if (!valid_host(ref.host)) return parse_error(text, "invalid registry host '" + ref.host + "'");
  if (has_upper(ref.path)) return parse_error(text, "repository name must be lowercase");
  if (name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string_view::npos)
    return parse_error(text, "cannot specify 64-byte hexadecimal strings as a repository name");
  std::string_view rest = ref.path;
  while (true) {
    auto slash = rest.find('/');
    std::string_view comp = rest.substr(0, slash);
    if (!valid_path_component(comp))
      return parse_error(text, "invalid repository path component '" + std::string(comp) +
                                   "' (use lower-case letters, digits and single . _ __ - "
                                   "separators)");
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  // Like distribution's ParseNormalizedNamed: the limit holds for the normalized name (with
  // "docker.io/library/" added), so what we print always parses again (found by fuzzing).
  if (ref.name().size() > kMaxNameLength)
    return parse_error(text, "repository name must not be longer than 255 characters");
  return ref;
}

}  // namespace

std::string ImageRef::string() const {
  std::string s = name();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

bool is_sha256_digest(std::string_view s) {
  if (s.size() != 71 || s.substr(0, 7) != "sha256:") return false;
  for (char c : s.substr(7))
    if (!is_hex_lower(c)) return false;
  return true;
}

Result<ImageRef> parse_image_ref(std::string_view text) {
  if (text.empty()) return parse_error(text, "reference is empty");
  for (char c : text)
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return parse_error(text, "reference contains white space or control characters");
  if (text.find("://") != std::string_view::npos)
    return parse_error(text, "a reference has no URL scheme (drop the 'scheme://' prefix)");
  std::string_view rest = text;
  std::string digest;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    std::string_view d = rest.substr(at + 1);
    if (d.find('@') != std::string_view::npos) return parse_error(text, "more than one '@'");
    if (d.substr(0, 7) != "sha256:")
      return parse_error(text, "unsupported digest algorithm in '" + std::string(d) +
                                   "' (only sha256 is supported)");
    if (!is_sha256_digest(d))
      return parse_error(text, "invalid digest '" + std::string(d) +
                                   "' (expected sha256: and 64 lower-case hex digits)");
    digest = std::string(d);
    rest = rest.substr(0, at);
  }
  std::string tag;
  auto last_slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    std::string_view t = rest.substr(colon + 1);
    if (!valid_tag(t))
      return parse_error(text, "invalid tag '" + std::string(t) +
                                   "' (1-128 of [A-Za-z0-9_.-], not starting with '.' or '-')");
    tag = std::string(t);
    rest = rest.substr(0, colon);
  }
  auto ref = parse_name(text, rest);
  if (!ref) return ref.error();
  ref->tag = std::move(tag);
  ref->digest = std::move(digest);
  return ref;
}

Result<ImageRef> parse_repository(std::string_view text) {
  auto ref = parse_image_ref(text);
  if (!ref) return ref.error();
  if (!ref->tag.empty() || !ref->digest.empty())
    return parse_error(text, "a repository name must not have a tag or digest");
  return ref;
}

std::vector<std::string> ref_scopes(const ImageRef& ref) {
  std::vector<std::string> out;
  if (!ref.digest.empty()) out.push_back(ref.name() + "@" + ref.digest);
  if (!ref.tag.empty()) out.push_back(ref.name() + ":" + ref.tag);
  std::string name = ref.name();
  while (true) {
    out.push_back(name);
    auto slash = name.rfind('/');
    if (slash == std::string::npos) break;
    name.resize(slash);
  }
  std::string domain = ref.host.substr(0, ref.host.find(':'));
  for (auto dot = domain.find('.'); dot != std::string::npos; dot = domain.find('.')) {
    domain = domain.substr(dot + 1);
    out.push_back("*." + domain);
  }
  return out;
}

}  // namespace imageswitch
