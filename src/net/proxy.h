// Which proxy a request goes through, from the environment the unit reads from the cluster's
// proxy file (/etc/mco/proxy.env: HTTP_PROXY, HTTPS_PROXY, NO_PROXY, as the kubelet and CRI-O
// use it). Chosen here rather than by libcurl because libcurl ignores upper-case HTTP_PROXY and,
// before 7.86 (RHEL 9 has 7.76), CIDR entries in NO_PROXY, which OpenShift's noProxy contains.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "url.h"

namespace imageswitch {

/// Looks up an environment variable; nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;

/// True when the NO_PROXY list `no_proxy` exempts `target`: "*"; an IP or CIDR ("10.0.0.0/16",
/// "fd00::/8"); a domain that matches itself and its subdomains ("example.com"), or only its
/// subdomains (".example.com", "*.example.com"); each optionally with ":port" (Go's
/// golang.org/x/net/http/httpproxy rules; loopback is exempt only when listed, as in libcurl).
bool no_proxy_matches(std::string_view no_proxy, const Url& target);

/// The proxy URL for `target` ("" = connect directly): HTTPS_PROXY/https_proxy for https,
/// HTTP_PROXY/http_proxy for http (upper case first, as Go reads them), unless
/// NO_PROXY/no_proxy exempts the target. A proxy without a scheme is http://.
std::string proxy_for(const Url& target, const EnvLookup& env);

/// proxy_for() with the process environment.
std::string proxy_for(const Url& target);

}  // namespace imageswitch
