#include "transport_policy.h"

#include <algorithm>
#include <cctype>

namespace imageswitch {
namespace {

bool is_credential_header(const std::string& header) {
  const auto colon = header.find(':');
  std::string name = header.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name == "authorization" || name == "proxy-authorization";
}

bool same_server(const Url& a, const Url& b) {
  return a.host == b.host && a.effective_port() == b.effective_port();
}

}  // namespace

bool is_insecure_target(const HttpRequest& req, const Url& target) {
  if (req.insecure_host.empty()) return false;
  const auto marked = parse_url(target.scheme + "://" + req.insecure_host);
  return marked && marked->host == target.host &&
         marked->effective_port() == target.effective_port();
}

bool has_credentials(const HttpRequest& req) {
  if (std::any_of(req.headers.begin(), req.headers.end(), is_credential_header)) return true;
  if (const auto url = parse_url(req.url); url && !url->userinfo.empty()) return true;
  return !req.tls.cert_file.empty() || !req.tls.cert_pem.empty() || !req.tls.key_file.empty() ||
         !req.tls.key_pem.empty();
}

std::string transport_refusal(const HttpRequest& req, const Url& target, const std::string& proxy) {
  if (target.scheme != "http" && target.scheme != "https")
    return "only http and https are allowed, not '" + target.scheme + "'";
  if (target.scheme == "http" && has_credentials(req) && !is_insecure_target(req, target))
    return "refusing to send credentials in clear text to '" + target.authority() +
           "' (plain HTTP is allowed only for the registry itself when registries.conf marks it "
           "insecure)";
  if (target.scheme == "http" && !proxy.empty()) {
    const auto via = parse_url(proxy);
    if (via && via->scheme == "http" && !via->userinfo.empty())
      return "refusing to send the credentials of proxy '" + redact_url(proxy) +
             "' in clear text with a plain-HTTP request (use an https:// proxy, or list '" +
             target.host + "' in NO_PROXY)";
  }
  return "";
}

std::string redirect_refusal(const HttpRequest& req, const Url& from, const Url& to) {
  if (to.scheme != "http" && to.scheme != "https")
    return "refusing the redirect to a '" + to.scheme + "' URL";
  if (from.scheme == "https" && to.scheme == "http" && !is_insecure_target(req, to))
    return "refusing the redirect from HTTPS to plain HTTP '" + to.authority() + "'";
  return "";
}

HttpRequest redirected(const HttpRequest& req, const Url& from, const Url& to,
                       const std::string& location, long status) {
  HttpRequest next = req;
  next.url = location;
  if (!same_server(from, to) || from.scheme != to.scheme) {
    next.headers.erase(
        std::remove_if(next.headers.begin(), next.headers.end(), is_credential_header),
        next.headers.end());
    next.tls.cert_file.clear();
    next.tls.cert_pem.clear();
    next.tls.key_file.clear();
    next.tls.key_pem.clear();
  }
  if (!is_insecure_target(req, to)) next.tls.verify = true;
  const bool safe = req.method == "GET" || req.method == "HEAD";
  if (status == 303 ? req.method != "HEAD" : (!safe && (status == 301 || status == 302))) {
    next.method = "GET";
    next.body.clear();
  }
  return next;
}

}  // namespace imageswitch
