// The HTTP client against real servers on 127.0.0.1: tests/fakes/fake_registry.py over plain
// HTTP and TLS (client certificates optional), a port that never answers, and Debian's
// tinyproxy. Also built against the libcurl 7.76 path (CA and client key through memfd files).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "net_fixture.h"

using namespace imageswitch;
using netfix::EnvVar;
using netfix::FakeRegistry;

namespace {

FakeRegistry& plain() {
  static FakeRegistry r(false);
  return r;
}

FakeRegistry& plain2() {
  static FakeRegistry r(false);
  return r;
}

FakeRegistry& tls() {
  static FakeRegistry r(true);
  return r;
}

TlsOptions trusted() {
  TlsOptions t;
  t.ca_file = netfix::workdir().pki("ca.pem");
  return t;
}

HttpOptions quick() {
  HttpOptions o;
  o.timeout_ms = 10000;
  o.backoff = std::chrono::milliseconds(20);
  return o;
}

nlohmann::json echo_of(const Result<HttpResponse>& resp) {
  REQUIRE_MESSAGE(resp.ok(), (resp.ok() ? "" : resp.error().message));
  REQUIRE(resp->status == 200);
  return nlohmann::json::parse(resp->body);
}

/// How many /_net/echo requests `server` has seen.
int echo_count(const FakeRegistry& server) {
  HttpRequest req;
  req.url = server.url("/stats");
  req.tls = trusted();
  return echo_of(http_send(req))["echo"].get<int>();
}

std::string error_of(const Result<HttpResponse>& resp) {
  REQUIRE_FALSE(resp.ok());
  return resp.error().message;
}

}  // namespace

TEST_CASE("method, body, headers and CA file over TLS") {
  HttpClient client(quick());
  HttpRequest req;
  req.method = "PUT";
  req.url = tls().url("/_net/echo");
  req.body = R"({"a":1})";
  req.headers = {"Authorization: Bearer t0k", "Content-Type: application/json"};
  req.tls = trusted();
  const auto echo = echo_of(client.send(req));
  CHECK(echo["method"] == "PUT");
  CHECK(echo["body"] == R"({"a":1})");
  CHECK(echo["authorization"] == "Bearer t0k");
  CHECK(echo["client_cn"] == "");
}

TEST_CASE("CA and client certificate from PEM data or from files") {
  const std::string ca = netfix::slurp(netfix::workdir().pki("ca.pem"));
  HttpRequest req;
  req.url = tls().url("/_net/echo");
  req.tls.ca_pem = ca;
  req.tls.cert_pem = netfix::slurp(netfix::workdir().pki("node-n1.pem"));
  req.tls.key_pem = netfix::slurp(netfix::workdir().pki("node-n1.key"));
  CHECK(echo_of(http_send(req))["client_cn"] == "system:node:n1");
  req.tls = trusted();
  req.tls.cert_file = netfix::workdir().pki("other.pem");
  req.tls.key_file = netfix::workdir().pki("other.key");
  CHECK(echo_of(http_send(req))["client_cn"] == "intruder");
}

TEST_CASE("an unknown CA is a temporary transport error naming the server") {
  HttpRequest req;
  req.url = tls().url("/_net/echo");
  // The system's trust anchors: the test CA is not among them.
  auto resp = http_send(req);
  CHECK(error_of(resp).find(tls().host()) != std::string::npos);
  CHECK(resp.error().kind == ErrorKind::Temporary);
  req.tls.verify = false;  // ignored: no host is marked insecure
  CHECK_FALSE(http_send(req).ok());
  req.insecure_host = tls().host();
  CHECK(http_send(req).ok());
}

TEST_CASE("HTTPS to HTTP redirect is refused before the plain server sees anything") {
  const int before = echo_count(plain());
  HttpRequest req;
  req.url = tls().url("/_net/redirect?to=" + url_encode(plain().url("/_net/echo")));
  req.tls = trusted();
  auto resp = HttpClient(quick()).send(req);
  CHECK(error_of(resp).find("refusing the redirect from HTTPS to plain HTTP") != std::string::npos);
  CHECK(resp.error().kind == ErrorKind::Degraded);
  CHECK(echo_count(plain()) == before);
  // To the very host marked insecure, the downgrade is that registry's own business.
  req.insecure_host = plain().host();
  CHECK(echo_of(HttpClient(quick()).send(req))["method"] == "GET");
}

TEST_CASE("redirect to another server drops the credentials") {
  HttpRequest req;
  req.url = plain().url("/_net/redirect?status=307&to=" + url_encode(plain2().url("/_net/echo")));
  req.headers = {"Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="};
  req.insecure_host = plain().host();
  HttpClient client(quick());
  const auto echo = echo_of(client.send(req));
  CHECK(echo["authorization"] == "");
  CHECK(client.request_count() == 2);
  req.url = plain().url("/_net/redirect?to=" + url_encode(plain().url("/_net/echo")));
  CHECK(echo_of(client.send(req))["authorization"] == "Basic YWxpY2U6d29uZGVybGFuZA==");
}

TEST_CASE("credentials over plain HTTP are refused unless the host is marked insecure") {
  const int before = echo_count(plain());
  HttpRequest req;
  req.url = plain().url("/_net/echo");
  req.headers = {"Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="};
  req.insecure_host = plain2().host();  // another server's mark does not count
  HttpClient client(quick());
  auto resp = client.send(req);
  CHECK(error_of(resp).find("refusing to send credentials in clear text to '" + plain().host()) !=
        std::string::npos);
  CHECK(resp.error().kind == ErrorKind::Degraded);
  CHECK(client.request_count() == 0);
  CHECK(echo_count(plain()) == before);
}

TEST_CASE("a body over the limit is 'response too large (N bytes, limit M)'") {
  HttpRequest req;
  req.url = plain().url("/_net/big?bytes=300000");
  req.max_body = 100000;
  auto resp = HttpClient(quick()).send(req);
  INFO(error_of(resp));
  CHECK(error_of(resp).find("response too large (300000 bytes, limit 100000)") !=
        std::string::npos);
  CHECK(resp.error().kind == ErrorKind::Degraded);
  req.url = plain().url("/_net/big?bytes=300000&chunked=1");
  const std::string chunked = error_of(HttpClient(quick()).send(req));
  CHECK(chunked.find("response too large (at least ") != std::string::npos);
  CHECK(chunked.find("limit 100000)") != std::string::npos);
  CHECK(chunked.find("Failure writing") == std::string::npos);
  req.max_body = 300000;
  auto fits = HttpClient(quick()).send(req);
  REQUIRE(fits.ok());
  CHECK(fits->body.size() == 300000);
}

TEST_CASE("a redirect loop stops after the limit") {
  HttpRequest req;
  const std::string self = "/_net/redirect?to=" + url_encode(plain().url("/_net/redirect?to=x"));
  req.url = plain().url("/_net/redirect?to=" + url_encode(plain().url(self)));
  HttpOptions o = quick();
  o.max_redirects = 1;
  o.max_attempts = 1;
  auto resp = HttpClient(o).send(req);
  CHECK(error_of(resp).find("stopped after 1 redirects") != std::string::npos);
}

TEST_CASE("a server that accepts and never answers ends within the budget, attempts bounded") {
  netfix::SilentServer silent;
  HttpOptions o;
  o.timeout_ms = 400;
  o.budget = std::chrono::milliseconds(700);
  o.backoff = std::chrono::milliseconds(10);
  HttpClient client(o);
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/v2/x/manifests/v1";
  auto resp = client.send(req);
  const std::string message = error_of(resp);
  CHECK(resp.error().kind == ErrorKind::Temporary);
  CHECK(message.find("127.0.0.1:" + std::to_string(silent.port())) != std::string::npos);
  CHECK(message.find("time budget of this pass (0.7 s) is spent") != std::string::npos);
  // Three attempts of 400 ms do not fit: the second got only what was left (or none started).
  const auto sent = client.request_count();
  CHECK(sent >= 1);
  CHECK(sent <= 2);
  CHECK(silent.connections() == static_cast<int>(sent));
  auto again = client.send(req);  // the budget is per client (one pass): nothing more is sent
  CHECK(error_of(again).find("not sent") != std::string::npos);
  CHECK(client.request_count() == sent);
}

#ifdef IMAGESWITCH_FAILPOINTS
TEST_CASE("IMAGESWITCH_HTTP_TIMEOUT_MS shortens attempts and the budget (test builds)") {
  netfix::SilentServer silent;
  EnvVar shortened("IMAGESWITCH_HTTP_TIMEOUT_MS", "300");
  HttpClient client;  // defaults: 60 s per attempt, 3 attempts, 90 s budget
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/v2/";
  const std::string message = error_of(client.send(req));
  CHECK(message.find("(0.6 s) is spent") != std::string::npos);
  CHECK(client.request_count() <= 2);
}
#endif
