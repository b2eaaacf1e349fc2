// Small file helpers shared by state, status and sources: bounded reads and atomic replacement.
#pragma once

#include <cstddef>
#include <string>

#include "result.h"

namespace imageswitch {

/// Reads at most `limit` bytes of `path`. Every failure (cannot open or read, larger than
/// `limit`) is an error of `kind`: the caller knows what the file is for (a broken config file
/// is Usage, an unreadable state file is only a warning, …). Messages: "Failed to open 'p': …".
Result<std::string> read_file(const std::string& path, std::size_t limit, ErrorKind kind);

/// read_file() for callers that have not chosen a kind yet: open/read failures Temporary, a
/// file larger than `limit` Usage. New callers pass the kind.
Result<std::string> read_file(const std::string& path, std::size_t limit = 1 << 20);

/// True when `path` does not exist (ENOENT or ENOTDIR), as opposed to existing but unreadable.
bool file_missing(const std::string& path);

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
