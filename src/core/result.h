// Errors as values: every fallible function returns Result<T>; only main() logs and exits.
#pragma once

#include <string>
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

/// Returns `e` with `context` put in front ("context: message"), keeping its kind.
inline Error wrap(std::string_view context, Error e) {
  e.message = std::string(context) + ": " + e.message;
  return e;
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
  /// The value; only when ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  /// The error; only when !ok().
  const Error& error() const { return std::get<1>(v_); }

 private:
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
  const Error& error() const { return error_; }

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
