// The text helpers shared by core, host and cluster.
#include "text.h"

#include <doctest/doctest.h>

using namespace imageswitch;

TEST_CASE("text: trim drops blanks at both ends only") {
  CHECK(trim("  quay.io/a:1 \r\n") == "quay.io/a:1");
  CHECK(trim("\t a b \t") == "a b");
  CHECK(trim(" \r\n\t ").empty());
  CHECK(trim("").empty());
  CHECK(trim("x") == "x");
}

TEST_CASE("text: lower_case") {
  CHECK(lower_case("Worker-7.Example.COM") == "worker-7.example.com");
  CHECK(lower_case("") == "");
}

TEST_CASE("text: seconds_text") {
  using std::chrono::milliseconds;
  CHECK(seconds_text(milliseconds(5000)) == "5 s");
  CHECK(seconds_text(milliseconds(1500)) == "1500 ms");
  CHECK(seconds_text(milliseconds(0)) == "0 s");
}

TEST_CASE("text: digest_of_reference") {
  const std::string d = "sha256:" + std::string(64, 'a');
  CHECK(digest_of_reference("quay.io/os@" + d) == d);
  CHECK(digest_of_reference("registry:5000/os@" + d) == d);
  CHECK(digest_of_reference("quay.io/os:4.18").empty());
  CHECK(digest_of_reference("registry:5000/os:4.18").empty());
  CHECK(digest_of_reference("quay.io/os@sha512:abc").empty());
  CHECK(digest_of_reference("").empty());
}

TEST_CASE("text: one_line joins lines, blanks control characters, repairs UTF-8 and bounds") {
  CHECK(one_line("a\nb\tc", 100) == "a; b c");
  CHECK(one_line("  first line \r\n\n  second\n", 100) == "first line; second");
  CHECK(one_line("esc \x1b[2J bell \x07", 100) == "esc  [2J bell  ");
  CHECK(one_line(std::string(50, 'x'), 10) == "xxxxxxx\u2026");
  CHECK(one_line("bad \xff\xc3x", 100) == "bad \ufffd\ufffdx");
  CHECK(one_line("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 7) == "\xc3\xa9\xc3\xa9\u2026");  // éé…
  CHECK(one_line("\xe2\x82\xac ok", 100) == "\xe2\x82\xac ok");
  const std::string huge(1 << 20, '\n');
  CHECK(one_line(huge + "x", 100) == "x");
  CHECK(one_line(std::string(1 << 20, 'y')).size() == kMaxStoredText);
}
