// The net layer's pure parts: URLs and the one percent-encoder, NO_PROXY and proxy choice, the
// transport policy (where credentials may go, which redirects are followed), the pass budget
// and bounded JSON. Also built against the libcurl 7.76 path (see meson.build).
#include <doctest/doctest.h>

#include <map>
#include <thread>

#include "curl_compat.h"
#include "http_client.h"
#include "json_util.h"
#include "proxy.h"
#include "transport_policy.h"
#include "url.h"

using namespace imageswitch;

namespace {

Url url(const std::string& text) {
  auto parsed = parse_url(text);
  REQUIRE_MESSAGE(parsed.has_value(), text);
  return *parsed;
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

HttpRequest with_auth(const std::string& target) {
  HttpRequest req;
  req.url = target;
  req.headers = {"Accept: */*", "authorization: Basic YTpi"};
  return req;
}

}  // namespace

TEST_CASE("parse_url splits scheme, user information, host and port") {
  const Url u = url("HTTPS://user:pw@Reg.Example.COM:5000/v2/x?y=1");
  CHECK(u.scheme == "https");
  CHECK(u.userinfo == "user:pw");
  CHECK(u.host == "reg.example.com");
  CHECK(u.port == "5000");
  CHECK(u.authority() == "reg.example.com:5000");
  const Url v6 = url("http://[::1]:8080/x");
  CHECK(v6.host == "::1");
  CHECK(v6.authority() == "[::1]:8080");
  CHECK(url("http://h/").effective_port() == "80");
  CHECK(url("https://h").effective_port() == "443");
  CHECK_FALSE(parse_url("no-scheme/path").has_value());
  CHECK_FALSE(parse_url("http://h:12x/").has_value());
  CHECK_FALSE(parse_url("http:///path").has_value());
}

TEST_CASE("redact_url hides user information only") {
  CHECK(redact_url("http://bob:secret@proxy:3128/") == "http://***@proxy:3128/");
  CHECK(redact_url("https://h/a@b") == "https://h/a@b");
  CHECK(redact_url("plain") == "plain");
}

TEST_CASE("url_encode keeps only unreserved characters") {
  CHECK(url_encode("spec.nodeName=n1") == "spec.nodeName%3Dn1");
  CHECK(url_encode("a/b c~_-") == "a%2Fb%20c~_-");
  CHECK(url_encode("repository:x/y:pull") == "repository%3Ax%2Fy%3Apull");
  CHECK(url_encode("\xff") == "%FF");
}

TEST_CASE("NO_PROXY: hosts, domains, ports, IPs and CIDRs as Go reads them") {
  const Url reg = url("https://quay.io/v2/");
  CHECK(no_proxy_matches("*", reg));
  CHECK(no_proxy_matches("example.com, quay.io", reg));
  CHECK(no_proxy_matches("QUAY.IO", reg));
  CHECK(no_proxy_matches("io", reg));              // a domain matches its subdomains
  CHECK_FALSE(no_proxy_matches(".quay.io", reg));  // leading dot: subdomains only
  CHECK(no_proxy_matches(".quay.io", url("https://cdn.quay.io/")));
  CHECK(no_proxy_matches("*.quay.io", url("https://cdn.quay.io/")));
  CHECK_FALSE(no_proxy_matches("uay.io", reg));
  CHECK(no_proxy_matches("quay.io:443", reg));
  CHECK_FALSE(no_proxy_matches("quay.io:8443", reg));
  const Url api = url("https://172.30.0.1:443/api");
  CHECK(no_proxy_matches("10.0.0.0/16,172.30.0.0/16", api));
  CHECK_FALSE(no_proxy_matches("172.31.0.0/16", api));
  CHECK(no_proxy_matches("172.30.0.1", api));
  CHECK(no_proxy_matches("fd00::/8", url("http://[fd01::5]:80/")));
  CHECK_FALSE(no_proxy_matches("fd00::/8", api));
  CHECK(no_proxy_matches("[::1]", url("http://[::1]:5000/")));
  CHECK_FALSE(no_proxy_matches("", reg));
  CHECK_FALSE(no_proxy_matches("localhost", url("http://127.0.0.1/")));  // as libcurl: listed only
}

TEST_CASE("proxy_for: upper case first, scheme by target, NO_PROXY exempts") {
  const auto env = env_of({{"HTTPS_PROXY", "http://proxy:3128"},
                           {"https_proxy", "http://lower:1"},
                           {"http_proxy", "proxy2:8080"},
                           {"NO_PROXY", ".cluster.local,10.0.0.0/8"}});
  CHECK(proxy_for(url("https://quay.io/v2/"), env) == "http://proxy:3128");
  CHECK(proxy_for(url("http://reg:5000/v2/"), env) == "http://proxy2:8080");
  CHECK(proxy_for(url("https://api.cluster.local:6443/"), env) == "");
  CHECK(proxy_for(url("https://10.1.2.3/"), env) == "");
  CHECK(proxy_for(url("https://quay.io/"), env_of({})) == "");
  CHECK(proxy_for(url("https://quay.io/"),
                  env_of({{"https_proxy", "http://p:1"}, {"no_proxy", "*"}})) == "");
}

TEST_CASE("credentials go in clear text only to the registry marked insecure") {
  HttpRequest req = with_auth("http://reg:5000/v2/");
  CHECK(transport_refusal(req, url(req.url), "").find("clear text") != std::string::npos);
  req.insecure_host = "reg:5000";
  CHECK(transport_refusal(req, url(req.url), "") == "");
  // Another server over HTTP (a token realm elsewhere) never gets them.
  req.url = "http://auth.example:80/token";
  CHECK(transport_refusal(req, url(req.url), "").find("'auth.example:80'") != std::string::npos);
  req.insecure_host = "reg";  // default port of the target's scheme
  req.url = "http://reg/v2/";
  CHECK(transport_refusal(req, url(req.url), "") == "");
  req.url = "http://reg:8080/v2/";
  CHECK_FALSE(transport_refusal(req, url(req.url), "").empty());
  // No credentials: plain HTTP is the registry client's choice.
  HttpRequest anon;
  anon.url = "http://reg:5000/v2/";
  CHECK(transport_refusal(anon, url(anon.url), "") == "");
  anon.url = "http://u:p@reg:5000/v2/";
  CHECK_FALSE(transport_refusal(anon, url(anon.url), "").empty());
  CHECK(transport_refusal(with_auth("https://reg/v2/"), url("https://reg/v2/"), "") == "");
  CHECK_FALSE(transport_refusal(anon, url("ftp://reg/x"), "").empty());
}

TEST_CASE("proxy credentials never in clear text beside a plain-HTTP request") {
  HttpRequest req;
  req.url = "http://reg:5000/v2/";
  const std::string refusal = transport_refusal(req, url(req.url), "http://bob:pw@proxy:3128");
  CHECK(refusal.find("bob") == std::string::npos);
  CHECK(refusal.find("NO_PROXY") != std::string::npos);
  CHECK(transport_refusal(req, url(req.url), "http://proxy:3128") == "");
  CHECK(transport_refusal(req, url(req.url), "https://bob:pw@proxy:3128") == "");
  req.url = "https://reg/v2/";  // CONNECT tunnel: the target's data stays inside TLS
  CHECK(transport_refusal(req, url(req.url), "http://bob:pw@proxy:3128") == "");
}

TEST_CASE("redirects: no HTTPS to HTTP downgrade, no credentials to another server") {
  HttpRequest req = with_auth("https://reg/v2/x");
  CHECK(redirect_refusal(req, url(req.url), url("http://reg/v2/y")).find("plain HTTP") !=
        std::string::npos);
  CHECK(redirect_refusal(req, url(req.url), url("ftp://reg/y")).find("'ftp'") != std::string::npos);
  CHECK(redirect_refusal(req, url(req.url), url("https://cdn/blob")) == "");
  req.insecure_host = "reg";
  CHECK(redirect_refusal(req, url(req.url), url("http://reg/v2/y")) == "");
  CHECK_FALSE(redirect_refusal(req, url(req.url), url("http://cdn/y")).empty());

  HttpRequest next =
      redirected(req, url(req.url), url("https://cdn/blob"), "https://cdn/blob", 307);
  CHECK(next.url == "https://cdn/blob");
  CHECK(next.headers == std::vector<std::string>{"Accept: */*"});
  next = redirected(req, url(req.url), url("https://reg/v2/z"), "https://reg/v2/z", 302);
  CHECK(next.headers.size() == 2);
  HttpRequest post = with_auth("https://reg/x");
  post.method = "POST";
  post.body = "{}";
  post.tls.key_pem = "KEY";
  next = redirected(post, url(post.url), url("https://other/y"), "https://other/y", 303);
  CHECK(next.method == "GET");
  CHECK(next.body.empty());
  CHECK(next.tls.key_pem.empty());
  post.tls.verify = false;
  post.insecure_host = "reg";
  CHECK(redirected(post, url(post.url), url("https://other/"), "https://other/", 307).tls.verify);
  CHECK(redirected(post, url(post.url), url("https://other/"), "https://other/", 307).method ==
        "POST");
}

TEST_CASE("has_credentials sees headers, user information and client keys") {
  HttpRequest req;
  req.url = "https://h/";
  CHECK_FALSE(has_credentials(req));
  req.headers = {"Proxy-Authorization: Basic x"};
  CHECK(has_credentials(req));
  req.headers.clear();
  req.tls.cert_file = "/c.pem";
  CHECK(has_credentials(req));
}

TEST_CASE("Deadline: starts once, runs down, zero is unlimited") {
  Deadline unlimited(std::chrono::milliseconds(0));
  unlimited.start();
  CHECK(unlimited.unlimited());
  CHECK_FALSE(unlimited.spent());
  Deadline d(std::chrono::milliseconds(30));
  CHECK(d.remaining() == std::chrono::milliseconds(30));
  d.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  d.start();  // no restart
  CHECK(d.spent());
  CHECK(d.remaining() == std::chrono::milliseconds(0));
}

TEST_CASE("the build knows which libcurl API it targets") {
  const std::string v = curl::built_for_version();
#ifdef IMAGESWITCH_EXPECT_CURL
  CHECK(v == IMAGESWITCH_EXPECT_CURL);
#endif
  CHECK(v.find('.') != std::string::npos);
  CHECK(curl::global_init());
}
