#include <doctest/doctest.h>

#include <vector>

#include "auth_file.h"

using namespace imageswitch;

TEST_CASE("base64 round trip and rejection") {
  for (std::string s :
       std::vector<std::string>{"", "a", "ab", "abc", "user:pa:ss", std::string("\0\xff", 2)})
    CHECK(base64_decode(base64_encode(s)) == s);
  CHECK_FALSE(base64_decode("abc").has_value());
  CHECK_FALSE(base64_decode("ab$=").has_value());
}

TEST_CASE("auth file: most specific key wins, schemes stripped, docker.io aliases") {
  std::string text = R"({"auths":{
    "https://reg.example.com:5000": {"auth": ")" +
                     base64_encode("host:h") + R"("},
    "reg.example.com:5000/ns": {"auth": ")" +
                     base64_encode("ns:n") + R"("},
    "reg.example.com:5000/ns/repo": {"auth": ")" +
                     base64_encode("repo:r:colon") + R"("},
    "https://index.docker.io/v1/": {"auth": ")" +
                     base64_encode("hub:d") + R"("},
    "other.io": {"username": "u", "password": "p"}
  }})";
  auto f = parse_auth_file(text, "t.json");
  REQUIRE(f.ok());
  auto c = f->lookup("reg.example.com:5000/ns/repo");
  REQUIRE(c);
  CHECK(c->username == "repo");
  CHECK(c->password == "r:colon");  // split at the first colon
  CHECK(f->lookup("reg.example.com:5000/ns/other")->username == "ns");
  CHECK(f->lookup("reg.example.com:5000/x/y")->username == "host");
  CHECK_FALSE(f->lookup("reg.example.com/ns/repo"));  // port matters
  CHECK(f->lookup("docker.io/library/busybox")->username == "hub");
  CHECK(f->lookup("registry-1.docker.io/library/busybox")->username == "hub");
  CHECK(f->lookup("other.io/a")->password == "p");
  CHECK_FALSE(f->lookup("quay.io/a"));
}

TEST_CASE("auth file errors") {
  CHECK_FALSE(parse_auth_file("[]", "x").ok());
  CHECK_FALSE(parse_auth_file(R"({"auths":{"a.io":{"auth":"!!"}}})", "x").ok());
  auto e =
      parse_auth_file(R"({"auths":{"a.io":{"auth":")" + base64_encode("nocolon") + R"("}}})", "f");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("user:password") != std::string::npos);
  CHECK(e.error().message.find("nocolon") == std::string::npos);  // no secrets in messages
  CHECK(parse_auth_file("{}", "x")->entries.empty());
  CHECK(load_auth_file("/nonexistent/auth.json")->entries.empty());
}

TEST_CASE("auth file: duplicate keys, one registry spelt twice, and size are refused (exit 2)") {
  const std::string a = base64_encode("u:a"), b = base64_encode("u:b");
  auto dup = parse_auth_file(
      R"({"auths":{"q.io":{"auth":")" + a + R"("},"q.io":{"auth":")" + b + R"("}}})",
      "/run/auth.json");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().kind == ErrorKind::Usage);
  CHECK(dup.error().message == "Failed to parse auth file '/run/auth.json': duplicate key 'q.io'");
  auto two = parse_auth_file(
      R"({"auths":{"https://q.io/v1/":{"auth":")" + a + R"("},"q.io":{"auth":")" + b + R"("}}})",
      "f");
  REQUIRE_FALSE(two.ok());
  CHECK(two.error().kind == ErrorKind::Usage);
  CHECK(two.error().message ==
        "Failed to parse auth file 'f': entries 'https://q.io/v1/' and 'q.io' name the same "
        "registry with different credentials; keep one");
  CHECK(two.error().message.find("u:") == std::string::npos);  // no secrets in messages
  // the same credentials under both spellings (docker login and podman login) are fine
  auto same = parse_auth_file(
      R"({"auths":{"https://q.io":{"auth":")" + a + R"("},"q.io":{"auth":")" + a + R"("}}})", "f");
  REQUIRE(same.ok());
  CHECK(same->lookup("q.io/x/y")->password == "a");
  auto big = parse_auth_file(R"({"auths":{},"pad":")" + std::string(2 << 20, 'x') + R"("})", "f");
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().kind == ErrorKind::Usage);
  CHECK(big.error().message.find("Failed to parse auth file 'f': too large (") == 0);
}

TEST_CASE("WWW-Authenticate") {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:ns/repo:pull")");
  REQUIRE(c.ok());
  CHECK(c->scheme == "bearer");
  CHECK(c->params.at("realm") == "https://auth.example.com/token");
  CHECK(c->params.at("service") == "registry.example.com");
  CHECK(c->params.at("scope") == "repository:ns/repo:pull");
  c = parse_www_authenticate(R"(Basic realm="Registry Realm")");
  REQUIRE(c.ok());
  CHECK(c->scheme == "basic");
  CHECK(c->params.at("realm") == "Registry Realm");
  c = parse_www_authenticate(R"(bearer Realm=http://x/t, service="a \"q\"")");
  REQUIRE(c.ok());
  CHECK(c->params.at("realm") == "http://x/t");
  CHECK(c->params.at("service") == "a \"q\"");
  CHECK_FALSE(parse_www_authenticate("").ok());
  CHECK_FALSE(parse_www_authenticate(R"(Bearer realm="unterminated)").ok());
}

TEST_CASE("WWW-Authenticate: a repeated parameter and an oversized header are refused") {
  // which realm gets the credentials must not depend on the reader: refuse, never pick one
  auto twice = parse_www_authenticate(R"(Bearer realm="https://a/t",realm="http://evil/t")");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message ==
        R"(Failed to parse WWW-Authenticate 'Bearer realm="https://a/t",realm="http://evil/t"': )"
        "parameter 'realm' given twice");
  CHECK_FALSE(parse_www_authenticate(R"(Bearer realm="a",Realm="b")").ok());  // names: any case
  auto huge = parse_www_authenticate("Bearer realm=\"" + std::string(5000, 'r') + "\"");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().message.find("too large (5015 bytes, limit 4096)") != std::string::npos);
  CHECK(huge.error().message.size() < 400);  // the header is quoted bounded
  auto hostile = parse_www_authenticate("Bearer \x1b[2J \"x");
  REQUIRE_FALSE(hostile.ok());
  CHECK(hostile.error().message.find('\x1b') == std::string::npos);
}
