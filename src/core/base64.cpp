#include "base64.h"

#include <algorithm>
#include <cstdint>
#include <cctype>

namespace imageswitch {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of an alphabet character, or -1.
int sextet(char c) {
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve(4 * ((bytes.size() + 2) / 3));
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k)
      v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k)
      out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 0x3f] : '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string in;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) in += c;
  if (in.size() % 4 != 0) return std::nullopt;
  const auto pad_at = in.find('=');
  if (pad_at != std::string::npos &&
      (in.size() - pad_at > 2 || in.find_first_not_of('=', pad_at) != std::string::npos))
    return std::nullopt;  // padding only at the very end, at most two characters
  const std::size_t data = pad_at == std::string::npos ? in.size() : pad_at;
  std::string out;
  out.reserve(data / 4 * 3 + 2);
  std::uint32_t v = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data; ++i) {
    const int s = sextet(in[i]);
    if (s < 0) return std::nullopt;
    v = (v << 6) | static_cast<std::uint32_t>(s);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace imageswitch
