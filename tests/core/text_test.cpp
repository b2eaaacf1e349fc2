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
