// Reading outside JSON (registry, API server answers) without ever throwing on its shape.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace imageswitch {

/// The string member `key` of `object`; "" when `object` is not an object or the member is not a
/// string (answers are outside input: never throw on their shape).
std::string json_string(const nlohmann::json& object, const char* key);

/// The member `key` of `object`, or null when absent or `object` is not an object.
const nlohmann::json& json_member(const nlohmann::json& object, const char* key);

/// The integer member `key` of `object`, or `fallback`.
long long json_int(const nlohmann::json& object, const char* key, long long fallback);

}  // namespace imageswitch
