// Result: value/error access in the right state, misuse aborts with a message in every build,
// TRY propagates, and wrap() never repeats its own prefix.
#include "result.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <functional>

using namespace imageswitch;

namespace {

/// Runs `f` in a child process; true when the child died of SIGABRT.
bool aborts(const std::function<void()>& f) {
  const pid_t child = fork();
  if (child == 0) {
    f();
    _exit(0);
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child) return false;
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

Result<int> half(int n) {
  if (n % 2 != 0) return make_error(ErrorKind::Usage, "odd: " + std::to_string(n));
  return n / 2;
}

Result<void> quarter_is_even(int n) {
  auto h = half(n);
  TRY(h);
  TRY(half(*h));
  return {};
}

}  // namespace

TEST_CASE("result: holds a value or an error") {
  auto good = half(8);
  REQUIRE(good.ok());
  CHECK(*good == 4);
  auto bad = half(3);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::Usage);
  CHECK(bad.error().message == "odd: 3");
}

TEST_CASE("result: TRY returns the first error") {
  CHECK(quarter_is_even(8).ok());
  auto r = quarter_is_even(6);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "odd: 3");
  CHECK(quarter_is_even(5).error().message == "odd: 5");
}

TEST_CASE("result: reading the wrong side aborts in every build") {
  CHECK(aborts([] { (void)half(3).value(); }));
  CHECK(aborts([] { (void)half(4).error(); }));
  CHECK(aborts([] { (void)Result<void>().error(); }));
  CHECK_FALSE(aborts([] { (void)half(4).value(); }));
  CHECK_FALSE(aborts([] { (void)half(3).error(); }));
}

TEST_CASE("result: wrap puts context in front once") {
  const Error e = make_error(ErrorKind::Temporary, "connection refused");
  const Error once = wrap("Failed to resolve 'x'", e);
  CHECK(once.message == "Failed to resolve 'x': connection refused");
  CHECK(once.kind == ErrorKind::Temporary);
  CHECK(wrap("Failed to resolve 'x'", once).message == once.message);
  // Another context, or a message that merely starts with the same words, is still wrapped.
  CHECK(wrap("Failed to stage", once).message ==
        "Failed to stage: Failed to resolve 'x': connection refused");
  CHECK(wrap("Failed to resolve", once).message ==
        "Failed to resolve: Failed to resolve 'x': connection refused");
}

TEST_CASE("result: wrap_unless leaves a message that already says the action") {
  const Error lower = make_error(ErrorKind::Degraded, "Failed to drain node 'n1': timed out");
  CHECK(wrap_unless("Failed to drain", "Failed to drain the node", lower).message == lower.message);
  const Error bare = make_error(ErrorKind::Degraded, "timed out");
  CHECK(wrap_unless("Failed to drain", "Failed to drain the node", bare).message ==
        "Failed to drain the node: timed out");
}
