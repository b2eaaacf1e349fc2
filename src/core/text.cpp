#include "text.h"

#include <cctype>
#include <cstdint>

namespace imageswitch {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // …
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at the start of `s` and its code point; 0 if invalid.
std::size_t sequence_at(std::string_view s, std::uint32_t& cp) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (len == 0 || c > 0xF4 || s.size() < len) return 0;
  cp = c & (0xFF >> (len + 1));
  for (std::size_t i = 1; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::string hex_escape(const char* prefix, std::uint32_t cp, int digits) {
  static const char* hex = "0123456789abcdef";
  std::string out = prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 15];
  return out;
}

// `out` cut at a character boundary to at most `max_bytes` bytes, "…" included.
std::string bounded(std::string out, std::size_t max_bytes) {
  if (out.size() <= max_bytes) return out;
  std::size_t cut = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out += kEllipsis;
}

// `s` with invalid bytes as U+FFFD and each control character (C0, DEL, C1) replaced by
// `control(cp)`; stops once past `max_bytes` (the caller bounds the result).
template <typename Control>
std::string valid_utf8(std::string_view s, std::size_t max_bytes, Control control) {
  std::string out;
  while (!s.empty() && out.size() <= max_bytes) {
    std::uint32_t cp = 0;
    std::size_t n = sequence_at(s, cp);
    if (n == 0) {
      out += kReplacement;
      n = 1;
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      out += control(cp);
    } else {
      out.append(s.substr(0, n));
    }
    s.remove_prefix(n);
  }
  return out;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  while (!s.empty()) {
    std::uint32_t cp = 0;
    const std::size_t n = sequence_at(s, cp);
    if (n == 0) return false;
    s.remove_prefix(n);
  }
  return true;
}

std::string printable(std::string_view s, std::size_t max_bytes) {
  return bounded(valid_utf8(s, max_bytes,
                            [](std::uint32_t cp) {
                              return cp < 0x80 ? hex_escape("\\x", cp, 2)
                                               : hex_escape("\\u", cp, 4);
                            }),
                 max_bytes);
}

std::string one_line(std::string_view s, std::size_t max_bytes) {
  std::string joined;
  for (std::size_t start = 0; start <= s.size() && joined.size() <= max_bytes;) {
    std::size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    const std::string line = trim(s.substr(start, end - start));
    if (!line.empty()) joined += (joined.empty() ? "" : "; ") + line;
    start = end + 1;
  }
  return bounded(valid_utf8(joined, max_bytes, [](std::uint32_t) { return std::string(" "); }),
                 max_bytes);
}

Error wrap_once(std::string_view context, Error e) {
  const std::string_view phrase = context.substr(0, context.find('\''));
  if (std::string_view(e.message).substr(0, phrase.size()) == phrase) return e;
  return wrap(context, std::move(e));
}

std::string trim(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(kBlanks);
  return std::string(text.substr(first, last - first + 1));
}

std::string lower_case(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

std::string digest_of_reference(std::string_view reference) {
  const auto at = reference.rfind('@');
  if (at == std::string_view::npos) return "";
  const std::string_view digest = reference.substr(at + 1);
  if (digest.substr(0, 7) != "sha256:") return "";
  return std::string(digest);
}

}  // namespace imageswitch
