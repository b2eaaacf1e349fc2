// Errors as values: every fallible function returns Result<T>; only main() logs and exits.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace imageswitch {

/// How the caller should react to a failure; maps one-to-one to the exit-code contract.
enum class ErrorKind {
  Temporary,  ///< network, API or bus trouble: retried at the next trigger (exit 75)
  Degraded,   ///< needs a person or a new desired image (exit 1)
  Usage,      ///< bad command line or configuration (exit 2)
};

/// A failure: its kind and a one-line message in systemd's wording ("Failed to …: …").
struct Error {
  ErrorKind kind = ErrorKind::Temporary;
  std::string message;
};

/// Builds an Error of `kind` with `message`.
inline Error make_error(ErrorKind kind, std::string message) {
  return Error{kind, std::move(message)};
}

/// Returns `e` with `context` put in front ("context: message"), keeping its kind; a message
/// that already starts with "context:" is left as it is (never "Failed to X: Failed to X: …").
inline Error wrap(std::string_view context, Error e) {
  const std::string_view m = e.message;
  if (m.size() > context.size() && m.substr(0, context.size()) == context &&
      m[context.size()] == ':')
    return e;
  e.message = std::string(context) + ": " + e.message;
  return e;
}

/// Like wrap(), and also leaves `e` alone when its message already starts with `prefix`: a lower
/// layer said the same action ("Failed to drain node 'x': …" under "Failed to drain the node").
inline Error wrap_unless(std::string_view prefix, std::string_view context, Error e) {
  if (std::string_view(e.message).substr(0, prefix.size()) == prefix) return e;
  return wrap(context, std::move(e));
}

/// Aborts with "imageswitch: internal error: <what>": a Result was read in the wrong state.
[[noreturn]] inline void result_misuse(const char* what, const std::string& detail) {
  std::fprintf(stderr, "imageswitch: internal error: %s%s\n", what, detail.c_str());
  std::abort();
}

/// Holds either a value or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  /// True when a value is held.
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  /// The value; aborts with a message when !ok().
  T& value() & { return std::get<0>(checked_value()); }
  const T& value() const& { return std::get<0>(checked_value()); }
  T&& value() && { return std::get<0>(std::move(checked_value())); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  /// The error; aborts with a message when ok().
  const Error& error() const {
    if (ok()) result_misuse("Result::error() called on a value", "");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error>& checked_value() {
    if (!ok()) result_misuse("Result::value() called on an error: ", std::get<1>(v_).message);
    return v_;
  }
  const std::variant<T, Error>& checked_value() const {
    if (!ok()) result_misuse("Result::value() called on an error: ", std::get<1>(v_).message);
    return v_;
  }
  std::variant<T, Error> v_;
};

/// Result of an action that yields nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  /// The error; aborts with a message when ok().
  const Error& error() const {
    if (ok_) result_misuse("Result<void>::error() called on success", "");
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace imageswitch

/// Returns the error of a Result-valued `expr` from the enclosing function, if there is one.
#define TRY(expr)                                                            \
  do {                                                                       \
    if (auto try_result_ = (expr); !try_result_) return try_result_.error(); \
  } while (0)
