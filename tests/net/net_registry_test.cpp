// The registry client's requests through the net layer (tests/fakes/fake_registry.py):
// a TLS registry that names a plain-HTTP token service on another server gets no credentials
// sent there, and a registry that accepts connections and never answers ends within the
// pass's budget with a temporary error naming it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base64.h"
#include "net_fixture.h"
#include "registry.h"

using namespace imageswitch;
using netfix::FakeRegistry;

namespace {

/// A client trusting the test CA for `host` (certs.d) with alice's password for it.
RegistryClient client_for(const std::string& host, HttpOptions http = {}) {
  const std::string certs_d = netfix::workdir().file("certs.d");
  std::filesystem::create_directories(certs_d + "/" + host);
  std::filesystem::copy_file(netfix::workdir().pki("ca.pem"), certs_d + "/" + host + "/ca.crt",
                             std::filesystem::copy_options::overwrite_existing);
  const std::string auth =
      R"({"auths":{")" + host + R"(":{"auth":")" + base64_encode("alice:wonderland") + R"("}}})";
  RegistryOptions options;
  auto parsed = parse_auth_file(auth, "auth.json");
  REQUIRE(parsed.ok());
  options.auth = *parsed;
  options.certs_d = certs_d;
  options.architecture = "amd64";
  options.http = http;
  return RegistryClient(options);
}

int token_requests(const FakeRegistry& server) {
  HttpRequest req;
  req.url = server.url("/stats");
  auto resp = http_send(req);
  REQUIRE(resp.ok());
  return nlohmann::json::parse(resp->body)["token"].get<int>();
}

}  // namespace

TEST_CASE("a TLS registry's plain-HTTP token realm on another server gets no password") {
  FakeRegistry registry(true), token_server(false);
  const int before = token_requests(token_server);
  RegistryClient client = client_for(registry.host());
  Endpoint ep{registry.host() + "/elsewhere/" + std::to_string(token_server.port())};
  auto digest = client.resolve_digest(ep, "v1");
  REQUIRE_FALSE(digest.ok());
  const std::string& message = digest.error().message;
  CHECK(message.find("refusing to send credentials in clear text to '" + token_server.host()) !=
        std::string::npos);
  CHECK(message.find("wonderland") == std::string::npos);
  CHECK(digest.error().kind == ErrorKind::Degraded);
  CHECK(token_requests(token_server) == before);  // nothing was sent there
}

TEST_CASE("the same realm works for a registry marked insecure on that very server") {
  FakeRegistry registry(false);
  RegistryClient client = client_for(registry.host());
  Endpoint ep{registry.host() + "/private/x", true};
  auto digest = client.resolve_digest(ep, "v1");
  REQUIRE_MESSAGE(digest.ok(), (digest.ok() ? "" : digest.error().message));
  CHECK(digest->rfind("sha256:", 0) == 0);
}

TEST_CASE("a registry that never answers ends the pass as temporary, naming the registry") {
  netfix::SilentServer silent;
  HttpOptions http;
  http.timeout_ms = 400;
  http.budget = std::chrono::milliseconds(900);
  http.backoff = std::chrono::milliseconds(10);
  const std::string host = "127.0.0.1:" + std::to_string(silent.port());
  RegistryClient client = client_for(host, http);
  auto digest = client.resolve_digest(Endpoint{host + "/ocp/release"}, "v1");
  REQUIRE_FALSE(digest.ok());
  CHECK(digest.error().kind == ErrorKind::Temporary);
  CHECK(digest.error().message.find(host) != std::string::npos);
  INFO(digest.error().message);
  CHECK(digest.error().message.find("time budget") != std::string::npos);
  CHECK(client.request_count() <= 3);
  CHECK(silent.connections() == static_cast<int>(client.request_count()));
}
