// Small text helpers with one home (used by core, host and cluster alike).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace imageswitch {

/// `text` without leading and trailing blanks (space, tab, CR, LF).
std::string trim(std::string_view text);

/// `text` in lower case (ASCII; host names, header names).
std::string lower_case(std::string_view text);

/// A duration for messages: whole seconds as "5 s", otherwise "1500 ms".
std::string seconds_text(std::chrono::milliseconds duration);

/// The digest pinned in `reference` ("…@sha256:<hex>" → "sha256:<hex>"), or "" when unpinned.
std::string digest_of_reference(std::string_view reference);

}  // namespace imageswitch
