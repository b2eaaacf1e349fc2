#include "text.h"

#include <cctype>

namespace imageswitch {

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
