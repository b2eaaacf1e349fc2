// Small file helpers shared by state, status and sources: bounded reads and atomic replacement.
#pragma once

#include <cstddef>
#include <string>

#include "result.h"

namespace imageswitch {

/// Reads at most `limit` bytes of `path`; a larger file is an error (Usage: bad input).
Result<std::string> read_file(const std::string& path, std::size_t limit = 1 << 20);

/// Replaces `path` with `content`: temporary file in the same directory, fsync, rename, fsync of
/// the directory. `mode` is the new file's permission bits.
Result<void> write_file_atomic(const std::string& path, const std::string& content,
                               unsigned mode = 0644);

/// Usage error unless `path` is missing or a real directory owned by this user and writable by
/// no one else (state_dir, runtime_dir: what is written there must not be redirected).
Result<void> check_private_directory(const std::string& path);

/// Creates directory `path` (and parents) with `mode` if missing.
Result<void> ensure_directory(const std::string& path, unsigned mode = 0755);

}  // namespace imageswitch
