// Reading outside JSON (registry, API server answers) without ever throwing on its shape.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "result.h"

namespace imageswitch {

/// The string member `key` of `object`; "" when `object` is not an object or the member is not a
/// string (answers are outside input: never throw on their shape).
std::string json_string(const nlohmann::json& object, const char* key);

/// The member `key` of `object`, or null when absent or `object` is not an object.
const nlohmann::json& json_member(const nlohmann::json& object, const char* key);

/// The integer member `key` of `object`, or `fallback`.
long long json_int(const nlohmann::json& object, const char* key, long long fallback);

/// Deepest nesting of arrays and objects accepted in outside JSON (manifests, tokens,
/// Kubernetes objects need far less).
inline constexpr int kMaxJsonDepth = 64;

/// Parses outside JSON `text` without throwing: a discarded value when it is not JSON; an error
/// when it nests deeper than `max_depth` (checked by a scan before parsing, so hostile nesting
/// costs no memory).
/// The deepest nesting of objects and arrays in `text`, outside strings (a cheap scan before
/// parsing untrusted JSON).
std::size_t json_nesting_depth(std::string_view text);

Result<nlohmann::json> parse_json_bounded(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace imageswitch
