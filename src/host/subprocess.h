// Running a helper program (bootc) with a clean environment, captured output and a hard timeout:
// fork/exec/pipe/poll by hand, every descriptor owned by UniqueFd.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "result.h"

namespace imageswitch {

/// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  /// The descriptor, or -1.
  int get() const { return fd_; }
  /// Gives up ownership.
  int release();
  /// Closes the held descriptor (if any) and holds `fd`.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

/// What to run: `argv[0]` is an absolute path; `env` is the complete environment.
struct CommandSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::chrono::milliseconds timeout = std::chrono::minutes(10);
  std::size_t stdout_limit = 8u << 20;  ///< more stdout than this is an error
};

/// How a command ended.
struct CommandResult {
  int exit_status = -1;  ///< exit code, or -1 when killed by a signal
  int term_signal = 0;   ///< the signal that ended it, or 0
  bool timed_out = false;
  std::string out;  ///< all of stdout (up to the limit)
  std::string err;  ///< the last 64 KiB of stderr
};

/// Runs `spec`, killing the child's process group when the timeout expires. Failing to start the
/// program at all is a Temporary error; the command's own failure is reported in the result.
Result<CommandResult> run_command(const CommandSpec& spec);

/// The last `n` bytes of `s`, trimmed of surrounding whitespace, with newlines turned into "; ".
std::string tail_line(const std::string& s, std::size_t n = 500);

}  // namespace imageswitch
