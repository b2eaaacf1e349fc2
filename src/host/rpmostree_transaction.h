// The rpm-ostreed transaction protocol: a mutating method returns a D-Bus address; the client
// connects to it peer-to-peer, subscribes to the Transaction signals, calls Start() and waits for
// Finished(success, message), relaying progress through a callback at a bounded rate (library
// code does not log: the shell's callback journals it).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "result.h"

namespace imageswitch {

/// How a transaction is awaited and where its progress goes.
struct TransactionOptions {
  std::chrono::milliseconds timeout = std::chrono::hours(1);  ///< overall bound, Start to Finished
  /// Receives each relayed progress line; empty → dropped.
  std::function<void(const std::string&)> on_progress;
  /// Called once Start() succeeded (from then on the daemon runs the transaction to its end).
  std::function<void()> on_started;
};

/// Decides which progress signals are worth a journal line (not every signal).
class ProgressThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  /// `step`: minimal percent change; `interval`: relay anyway after this long.
  explicit ProgressThrottle(unsigned step = 10,
                            std::chrono::milliseconds interval = std::chrono::seconds(5))
      : step_(step), interval_(interval) {}
  /// True when PercentProgress(`text`, `percent`) at `now` should be relayed.
  bool percent(const std::string& text, unsigned percent, Clock::time_point now);
  /// True when a Message at `now` should be relayed (at most one per second).
  bool message(Clock::time_point now);

 private:
  unsigned step_;
  std::chrono::milliseconds interval_;
  std::string last_text_;
  std::optional<unsigned> last_percent_;
  Clock::time_point last_percent_time_{};
  std::optional<Clock::time_point> last_message_time_;
};

/// Runs the transaction served at `address` to its end; Finished(false, m) → Temporary error
/// carrying `m`; a dropped connection or the timeout (after a Cancel attempt) → Temporary error.
Result<void> run_transaction(const std::string& address, const TransactionOptions& options);

}  // namespace imageswitch
