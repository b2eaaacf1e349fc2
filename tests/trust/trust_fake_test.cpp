// Auth and malformed-answer cases against tests/fakes/fake_registry.py standalone (its Bearer
// token flow and canned faults: garbage/truncated/oversized manifests, wrong
// Docker-Content-Digest, 503/429).
#include <doctest/doctest.h>

#include <thread>

#include "registry_image_trust.h"
#include "trust_fixture.h"

using namespace imageswitch;
using fixture::Case;
using fixture::registries;

namespace {

HttpOptions fast() {
  HttpOptions o;
  o.timeout_ms = 5000;
  o.backoff = std::chrono::milliseconds(50);
  o.retry_after_cap = std::chrono::milliseconds(300);
  return o;
}

Case open_case() {
  return Case(R"({"default":[{"type":"insecureAcceptAnything"}]})");
}

void login(const Case& c, const std::string& pw) {
  fixture::spit(c.settings.auth_file, R"({"auths":{")" + registries().fake_host() +
                                          R"(":{"auth":")" + base64_encode("alice:" + pw) +
                                          R"("}}})");
}

std::string fail(RegistryImageTrust& t, const std::string& repo) {
  auto r = t.resolve(registries().fake_host() + "/" + repo + ":v1");
  INFO(repo);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("Bearer: token with credentials; 401 without; invalid token") {
  Case c = open_case();
  {
    RegistryImageTrust t(c.settings, fast());
    auto none = t.resolve(registries().fake_host() + "/private/x:v1");
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().kind == ErrorKind::Usage);  // no credentials in the auth file: exit 2
    CHECK(none.error().message.find("has no credentials for") != std::string::npos);
  }
  login(c, "wrong");
  {
    RegistryImageTrust t(c.settings, fast());
    auto refused = t.resolve(registries().fake_host() + "/private/x:v1");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::Degraded);  // credentials refused: exit 1
    std::string e = refused.error().message;
    CHECK(e.find("token") != std::string::npos);
    CHECK(e.find("wrong") == std::string::npos);
  }
  login(c, "wonderland");
  RegistryImageTrust t(c.settings, fast());
  auto ok = t.resolve(registries().fake_host() + "/private/x:v1");
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
  auto before = t.request_count();
  REQUIRE(t.resolve(registries().fake_host() + "/private/x:v2").ok());
  CHECK(t.request_count() == before + 1);  // the cached token is reused
  std::string e = fail(t, "badtoken/x");
  CHECK(e.find("401") != std::string::npos);
}

TEST_CASE("Bearer: an expired token is replaced") {
  Case c = open_case();
  login(c, "wonderland");
  RegistryImageTrust t(c.settings, fast());
  REQUIRE(t.resolve(registries().fake_host() + "/expiring/x:v1").ok());
  auto n = t.request_count();
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  auto again = t.resolve(registries().fake_host() + "/expiring/x:v1");
  REQUIRE_MESSAGE(again.ok(), (again.ok() ? "" : again.error().message));
  CHECK(t.request_count() == n + 2);  // new token, then the manifest
}

TEST_CASE("malformed answers are rejected") {
  Case c = open_case();
  RegistryImageTrust t(c.settings, fast());
  CHECK(fail(t, "bad/garbage").find("not valid JSON") != std::string::npos);
  CHECK(fail(t, "bad/notmanifest").find("unsupported media type") != std::string::npos);
  CHECK(fail(t, "bad/oversized").find("response too large") != std::string::npos);
  CHECK(fail(t, "bad/wrongdigest").find("Docker-Content-Digest") != std::string::npos);
  const std::string hostile = fail(t, "bad/utf8");  // made printable where it enters
  CHECK(hostile.find("unsupported media type 'text/\xEF\xBF\xBD\\x1b[2J") != std::string::npos);
  CHECK(hostile.find('\x1b') == std::string::npos);
  std::string truncated = fail(t, "bad/truncated");
  CHECK(truncated.find("Failed to fetch") != std::string::npos);
}

TEST_CASE("503 with Retry-After is retried; 429 gives up after bounded attempts") {
  Case c = open_case();
  RegistryImageTrust t(c.settings, fast());
  auto ok = t.resolve(registries().fake_host() + "/flaky/x:v1");
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
  auto n = t.request_count();
  auto start = std::chrono::steady_clock::now();
  auto busy = t.resolve(registries().fake_host() + "/busy/x:v1");
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.error().kind == ErrorKind::Temporary);  // may pass by itself: exit 75
  std::string e = busy.error().message;
  CHECK(e.find("429") != std::string::npos);
  // no message repeats its own prefix
  CHECK(e.rfind("Failed to resolve '", 0) == 0);
  CHECK(e.find("Failed to resolve '", 1) == std::string::npos);
  CHECK(t.request_count() == n + 3);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));  // capped Retry-After
}
