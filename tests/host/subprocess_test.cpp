// Unit tests of run_command: exit codes, captured output, exec failures, timeouts.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>

#include "subprocess.h"

using namespace imageswitch;
using namespace std::chrono_literals;

namespace {
CommandSpec sh(const std::string& script, std::chrono::milliseconds timeout = 10s) {
  CommandSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin", "MARK=1"};
  spec.timeout = timeout;
  return spec;
}
}  // namespace

TEST_CASE("run_command captures stdout, stderr and the exit status") {
  auto r = run_command(sh("echo out; echo err >&2; echo $MARK; exit 3"));
  REQUIRE(r.ok());
  CHECK(r->exit_status == 3);
  CHECK(r->out == "out\n1\n");
  CHECK(r->err == "err\n");
  CHECK_FALSE(r->timed_out);
}

TEST_CASE("run_command passes only the given environment") {
  setenv("IMAGESWITCH_LEAK_CHECK", "leaked", 1);
  auto r = run_command(sh("env"));
  REQUIRE(r.ok());
  CHECK(r->out.find("IMAGESWITCH_LEAK_CHECK") == std::string::npos);
  CHECK(r->out.find("MARK=1") != std::string::npos);
}

TEST_CASE("a program that cannot be executed is an error naming it") {
  CommandSpec spec;
  spec.argv = {"/nonexistent/bootc", "status"};
  auto r = run_command(spec);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "Failed to run '/nonexistent/bootc': No such file or directory");
}

TEST_CASE("the timeout kills the child and its process group") {
  const auto start = std::chrono::steady_clock::now();
  auto r = run_command(sh("sleep 30 & echo started; wait", 300ms));
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK(r->term_signal == SIGKILL);
  CHECK(r->out == "started\n");
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("a signal death is reported") {
  auto r = run_command(sh("kill -TERM $$"));
  REQUIRE(r.ok());
  CHECK(r->term_signal == SIGTERM);
  CHECK(r->exit_status == -1);
}

TEST_CASE("tail_line keeps the end and joins lines") {
  CHECK(tail_line("  a\nb\n\n") == "a; b");
  CHECK(tail_line(std::string(1000, 'x') + "END", 10) == "xxxxxxxEND");
  CHECK(tail_line("\n\n") == "");
}
