// Ignition file contents: RFC 2397 data URLs (base64 or percent-encoded) and gzip compression,
// decoded as the machine-config daemon does (ctrlcommon.DecodeIgnitionFileContents) — never
// fetched.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "result.h"

namespace imageswitch {

/// Largest decoded or decompressed file imageswitch-render accepts (a gzip bomb stops here).
inline constexpr std::size_t kMaxFileBytes = 64u << 20;

/// The bytes of a `data:` URL; an error names what is wrong (not a data URL, bad base64, bad %XX).
Result<std::string> decode_data_url(std::string_view url);

/// The scheme of `url` in lower case ("data", "https", …), or "" when it has none.
std::string url_scheme(std::string_view url);

/// Decompresses a complete gzip stream (RFC 1952), at most kMaxFileBytes of output.
Result<std::string> gunzip(std::string_view compressed);

}  // namespace imageswitch
