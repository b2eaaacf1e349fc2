// A time budget shared by every request of a pass: each attempt's timeout is clipped to what is
// left, and no attempt or retry starts once it is spent, so one server that accepts connections
// and never answers cannot hold the node for longer than the budget.
#pragma once

#include <chrono>
#include <optional>

namespace imageswitch {

/// A budget that starts with the first request and then only runs down.
class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  /// `budget` of zero means unlimited.
  explicit Deadline(std::chrono::milliseconds budget) : budget_(budget) {}
  /// Starts the clock; later calls change nothing.
  void start() {
    if (!end_) end_ = Clock::now() + budget_;
  }
  /// True when there is no budget at all.
  bool unlimited() const { return budget_.count() <= 0; }
  /// The whole budget.
  std::chrono::milliseconds budget() const { return budget_; }
  /// What is left (the whole budget before start(); never below zero).
  std::chrono::milliseconds remaining() const {
    if (!end_) return budget_;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*end_ - Clock::now());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
  }
  /// True once a limited budget is used up.
  bool spent() const { return !unlimited() && remaining().count() <= 0; }

 private:
  std::chrono::milliseconds budget_;
  std::optional<Clock::time_point> end_;
};

}  // namespace imageswitch
