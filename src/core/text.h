// Small text helpers with one home (trim, lower_case, seconds_text, digest_of_reference), and
// text from outside (registry headers and bodies, annotations, the desired-image file) made safe
// where it enters: valid UTF-8, one line, no control characters, bounded — so persisting it
// (state.json, status.json) and printing it (status) can never throw or drive a terminal.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "result.h"

namespace imageswitch {

/// Longest string stored in state.json / status.json (bytes, "…" included).
inline constexpr std::size_t kMaxStoredText = 1024;

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points over U+10FFFF).
bool is_valid_utf8(std::string_view s);

/// `s` as valid, one-line UTF-8: invalid bytes become U+FFFD, control characters (C0, DEL, C1)
/// become "\xNN" / "\u00NN"; cut at a character boundary to at most `max_bytes` bytes with "…".
std::string printable(std::string_view s, std::size_t max_bytes = kMaxStoredText);

/// `s` as one line of valid UTF-8 for people (Event messages, the reason annotation, daemon
/// errors): its non-empty lines trimmed and joined with "; ", other control characters as spaces,
/// invalid bytes as U+FFFD; cut at a character boundary to at most `max_bytes` bytes with "…".
std::string one_line(std::string_view s, std::size_t max_bytes = kMaxStoredText);

/// `e` with `context` in front, unless its message already starts with the same phrase (the
/// context up to its first quote, e.g. "Failed to resolve "): no message repeats its own prefix.
Error wrap_once(std::string_view context, Error e);

/// `text` without leading and trailing blanks (space, tab, CR, LF).
std::string trim(std::string_view text);

/// `text` in lower case (ASCII; host names, header names).
std::string lower_case(std::string_view text);

/// A duration for messages: whole seconds as "5 s", otherwise "1500 ms".
std::string seconds_text(std::chrono::milliseconds duration);

/// The digest pinned in `reference` ("…@sha256:<hex>" → "sha256:<hex>"), or "" when unpinned.
std::string digest_of_reference(std::string_view reference);

}  // namespace imageswitch
