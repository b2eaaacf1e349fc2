// The one parser of outside JSON (parse_json_strict) and the member accessors.
#include "json_util.h"

#include <doctest/doctest.h>

#include <string>

using namespace imageswitch;

TEST_CASE("parse_json_strict: size and depth limits with clear errors, checked before parsing") {
  CHECK(parse_json_strict(R"({"a":[1,{"b":2}]})", "x").ok());
  auto big = parse_json_strict(std::string(100, ' ') + "{}", "payload", {64, 8});
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().message == "payload: too large (102 bytes, limit 64)");
  CHECK(big.error().kind == ErrorKind::Degraded);
  auto deep = parse_json_strict(std::string(100, '[') + std::string(100, ']'), "payload");
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().message == "payload: nested too deeply (100 levels, limit 64)");
  CHECK(parse_json_strict(std::string(64, '[') + std::string(64, ']'), "x").ok());
  // brackets inside strings (escaped quotes included) do not count
  auto in_string = parse_json_strict(R"({"a":[[{"b":"[[[[[[[[[["}]]})", "x", {1024, 4});
  REQUIRE(in_string.ok());
  CHECK((*in_string)["a"][0][0]["b"] == "[[[[[[[[[[");
  auto escaped = parse_json_strict(R"(["\"[[["])", "x", {1024, 1});
  REQUIRE(escaped.ok());
  CHECK((*escaped)[0] == "\"[[[");
}

TEST_CASE("parse_json_strict: not JSON, trailing data and invalid UTF-8 are refused") {
  for (const std::string text : {"{nope", "{} {}", "{\"a\":\"\xff\"}", "", "[1,]"}) {
    INFO(text);
    auto r = parse_json_strict(text, "answer");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "answer: not valid JSON");
  }
}

TEST_CASE("parse_json_strict: a repeated key in any object is refused; other objects may repeat") {
  CHECK(parse_json_strict(R"({"a":"[[[[[[[[[[","b":{"a":1}})", "x").ok());
  CHECK(parse_json_strict(R"([{"a":1},{"a":2}])", "x").ok());
  for (const std::string text : {R"({"a":1,"a":2})", R"({"x":{"realm":"a","realm":"b"}})",
                                 R"([{"k":1},{"k":2,"k":3}])", R"({"a":{"b":1},"a":{"b":1}})"}) {
    INFO(text);
    auto r = parse_json_strict(text, "auth file 'x'");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("auth file 'x': duplicate key '") == 0);
  }
  auto hostile = parse_json_strict(R"({"\u001b[2J":1,"\u001b[2J":2})", "x");
  REQUIRE_FALSE(hostile.ok());
  CHECK(hostile.error().message == "x: duplicate key '\\x1b[2J'");
}

TEST_CASE("json accessors never throw on the shape of outside JSON") {
  const auto j = nlohmann::json::parse(R"({"s":"v","n":3,"o":{"k":1}})");
  CHECK(json_string(j, "s") == "v");
  CHECK(json_string(j, "n").empty());
  CHECK(json_string(nlohmann::json::array(), "s").empty());
  CHECK(json_int(j, "n", -1) == 3);
  CHECK(json_int(j, "s", -1) == -1);
  CHECK(json_member(j, "o")["k"] == 1);
  CHECK(json_member(j, "missing").is_null());
  CHECK(json_member(nlohmann::json(5), "o").is_null());
}
