#include "json_util.h"

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

}  // namespace imageswitch
