// Standard base64 (RFC 4648 §4), shared by the auth file, policy keyData, signatures and
// kubeconfig.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace imageswitch {

/// Encodes `bytes` as padded standard base64.
std::string base64_encode(std::string_view bytes);

/// Decodes padded standard base64, ignoring whitespace; nullopt on any invalid input.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace imageswitch
