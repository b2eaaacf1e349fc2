// A non-blocking lock in the runtime directory, so two triggers never run a pass at once.
#pragma once

#include <optional>
#include <string>

#include "result.h"

namespace imageswitch {

/// Holds flock(LOCK_EX) on runtime_dir/lock while alive.
class RunLock {
 public:
  /// Takes the lock; nullopt when another run holds it; an error when the file cannot be opened.
  static Result<std::optional<RunLock>> try_acquire(const std::string& runtime_dir);
  RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace imageswitch
