#include "json_util.h"

#include <algorithm>
#include <set>
#include <vector>

#include "text.h"

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

Result<nlohmann::json> parse_json_strict(std::string_view text, std::string_view what,
                                         JsonLimits limits) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorKind::Degraded, std::string(what) + ": " + why);
  };
  if (text.size() > limits.max_bytes)
    return bad("too large (" + std::to_string(text.size()) + " bytes, limit " +
               std::to_string(limits.max_bytes) + ")");
  if (std::size_t d = json_nesting_depth(text); d > limits.max_depth)
    return bad("nested too deeply (" + std::to_string(d) + " levels, limit " +
               std::to_string(limits.max_depth) + ")");
  // One set of keys per open object; a repeated key marks the whole document as refused.
  std::vector<std::set<std::string>> open;
  std::string duplicate;
  bool has_duplicate = false;
  using PE = nlohmann::json::parse_event_t;
  auto cb = [&](int, PE event, nlohmann::json& parsed) {
    if (event == PE::object_start) {
      open.emplace_back();
    } else if (event == PE::object_end) {
      if (!open.empty()) open.pop_back();
    } else if (event == PE::key && !open.empty()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!open.back().insert(key).second && !has_duplicate) {
        has_duplicate = true;
        duplicate = key;
      }
    }
    return true;
  };
  auto j = nlohmann::json::parse(text.begin(), text.end(), cb, false);
  if (j.is_discarded()) return bad("not valid JSON");
  if (has_duplicate) return bad("duplicate key '" + printable(duplicate, 128) + "'");
  return j;
}

}  // namespace imageswitch
