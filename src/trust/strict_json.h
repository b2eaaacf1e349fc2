// Parsing JSON from outside (signature payloads, manifests, policy, auth file) where a security
// decision depends on it: bounded size and nesting, and duplicate keys refused anywhere, as
// containers/image does for signature payloads (signature/internal/json.go).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "result.h"

namespace imageswitch {

/// Limits of a strict parse.
struct JsonLimits {
  std::size_t max_bytes = 4 << 20;
  std::size_t max_depth = 64;
};

/// Parses `text` strictly: invalid JSON, trailing data, a duplicate key in any object, more than
/// `limits.max_bytes` bytes or deeper nesting than `limits.max_depth` → Degraded error
/// ("<what>: duplicate key 'k'", "<what>: too large (N bytes, limit M)", …).
Result<nlohmann::json> parse_json_strict(std::string_view text, std::string_view what,
                                         JsonLimits limits = {});

}  // namespace imageswitch
