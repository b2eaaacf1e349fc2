#include "strict_json.h"

#include <set>
#include <vector>

#include "json_util.h"
#include "text.h"

namespace imageswitch {

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
