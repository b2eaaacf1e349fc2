// Reading outside JSON (registry and API server answers, files) strictly, and its members
// without ever throwing on their shape.
#pragma once

#include <cstddef>
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

/// The deepest nesting of objects and arrays in `text`, outside strings (a cheap scan before
/// parsing untrusted JSON).
std::size_t json_nesting_depth(std::string_view text);

/// Limits of a strict parse. Bodies are already capped by the HTTP client per object; these hold
/// for files and for what a caller knows to need less.
struct JsonLimits {
  std::size_t max_bytes = 4 << 20;
  std::size_t max_depth = 64;
};

/// The one parser for JSON from outside (registry and API server answers, signature payloads,
/// policy.json, the auth file, config.json): invalid JSON, trailing data, a duplicate key in any
/// object, more than `limits.max_bytes` bytes or deeper nesting than `limits.max_depth` → a
/// Degraded error "<what>: duplicate key 'k'" / "<what>: too large (N bytes, limit M)" / …
/// (the caller picks the kind). Never throws; nesting is checked by a scan before parsing, so
/// hostile nesting costs no memory. Duplicate keys are refused as containers/image refuses them
/// in signature payloads (signature/internal/json.go): two readers must never disagree.
Result<nlohmann::json> parse_json_strict(std::string_view text, std::string_view what,
                                         JsonLimits limits = {});

}  // namespace imageswitch
