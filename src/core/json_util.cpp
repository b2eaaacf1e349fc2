#include "json_util.h"

#include <algorithm>

namespace imageswitch {

std::string json_string(const nlohmann::json& object, const char* key) {
  const auto& value = json_member(object, key);
  return value.is_string() ? value.get<std::string>() : "";
}

const nlohmann::json& json_member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json null;
  if (!object.is_object()) return null;
  auto it = object.find(key);
  return it == object.end() ? null : *it;
}

long long json_int(const nlohmann::json& object, const char* key, long long fallback) {
  const auto& value = json_member(object, key);
  return value.is_number_integer() ? value.get<long long>() : fallback;
}

std::size_t json_nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

Result<nlohmann::json> parse_json_bounded(std::string_view text, int max_depth) {
  if (json_nesting_depth(text) > static_cast<std::size_t>(max_depth))
    return make_error(ErrorKind::Degraded,
                      "JSON nested deeper than " + std::to_string(max_depth) + " levels");
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
}

}  // namespace imageswitch
