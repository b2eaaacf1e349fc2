// The cluster's proxy environment through a real proxy: Debian's tinyproxy on 127.0.0.1 with
// its own configuration file and a free port. CONNECT for HTTPS targets, absolute-form requests
// for plain HTTP, NO_PROXY exemptions, and proxy credentials never sent in clear text beside a
// plain-HTTP request. meson sets NO_PROXY=* for every test; these cases set the variables
// themselves and only ever point them at the local tinyproxy.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "net_fixture.h"

using namespace imageswitch;
using netfix::EnvVar;
using netfix::FakeRegistry;

namespace {

struct ProxyEnv {
  EnvVar https_upper, https_lower, http_upper, http_lower, no_upper, no_lower;
  ProxyEnv(const std::string& proxy, const char* no_proxy)
      : https_upper("HTTPS_PROXY", proxy.c_str()),
        https_lower("https_proxy", nullptr),
        http_upper("HTTP_PROXY", proxy.c_str()),
        http_lower("http_proxy", nullptr),
        no_upper("NO_PROXY", no_proxy),
        no_lower("no_proxy", nullptr) {}
};

FakeRegistry& plain() {
  static FakeRegistry r(false);
  return r;
}

FakeRegistry& tls() {
  static FakeRegistry r(true);
  return r;
}

HttpRequest echo(const FakeRegistry& server) {
  HttpRequest req;
  req.url = server.url("/_net/echo");
  req.tls.ca_file = netfix::workdir().pki("ca.pem");
  req.timeout_ms = 15000;
  return req;
}

nlohmann::json body_of(const Result<HttpResponse>& resp) {
  REQUIRE_MESSAGE(resp.ok(), (resp.ok() ? "" : resp.error().message));
  REQUIRE(resp->status == 200);
  return nlohmann::json::parse(resp->body);
}

}  // namespace

TEST_CASE("HTTPS through the proxy's CONNECT tunnel; plain HTTP forwarded with Via") {
  netfix::Tinyproxy proxy;
  if (!proxy.available()) {
    MESSAGE("tinyproxy is not installed (tests/tools/install-deps.sh installs it)");
    return;
  }
  ProxyEnv env(proxy.url(), nullptr);
  HttpRequest secure = echo(tls());
  secure.headers = {"Authorization: Bearer inside-tls"};
  CHECK(body_of(http_send(secure))["authorization"] == "Bearer inside-tls");
  CHECK(proxy.log().find("CONNECT") != std::string::npos);
  CHECK(proxy.log().find(tls().host()) != std::string::npos);
  const auto forwarded = body_of(http_send(echo(plain())));
  CHECK(forwarded["via"].get<std::string>().find("tinyproxy") != std::string::npos);
}

TEST_CASE("NO_PROXY exempts a host; a dead proxy is a temporary error naming the target") {
  netfix::Tinyproxy proxy;
  if (!proxy.available()) return;
  {
    ProxyEnv env(proxy.url(), ("example.com," + plain().host()).c_str());
    CHECK(body_of(http_send(echo(plain())))["via"] == "");
  }
  {
    ProxyEnv env(proxy.url(), "127.0.0.0/8");
    CHECK(body_of(http_send(echo(plain())))["via"] == "");
  }
  ProxyEnv env("http://127.0.0.1:" + std::to_string(netfix::free_port()), nullptr);
  auto resp = http_send(echo(plain()));
  REQUIRE_FALSE(resp.ok());
  CHECK(resp.error().kind == ErrorKind::Temporary);
  CHECK(resp.error().message.find(plain().host()) != std::string::npos);
}

TEST_CASE("proxy credentials: through CONNECT for HTTPS, refused in clear text for HTTP") {
  netfix::Tinyproxy proxy("proxyuser", "proxypass");
  if (!proxy.available()) return;
  const std::string with_credentials =
      "http://proxyuser:proxypass@" + proxy.url().substr(std::string("http://").size());
  ProxyEnv env(with_credentials, nullptr);
  CHECK(body_of(http_send(echo(tls())))["method"] == "GET");
  auto resp = http_send(echo(plain()));
  REQUIRE_FALSE(resp.ok());
  CHECK(resp.error().kind == ErrorKind::Degraded);
  CHECK(resp.error().message.find("in clear text") != std::string::npos);
  CHECK(resp.error().message.find("proxypass") == std::string::npos);
  ProxyEnv wrong("http://proxyuser:nope@" + proxy.url().substr(7), nullptr);
  auto refused = http_send(echo(tls()));
  CHECK_FALSE(refused.ok());  // tinyproxy answers 407 to the CONNECT
}
