// Where a request may go, decided in one place: credentials (an Authorization header, user
// information in the URL, a client certificate) never travel in clear text except to the one host
// a caller marks insecure; proxy credentials never in clear text beside a plain-HTTP request;
// redirects never from HTTPS down to HTTP (except to that insecure host) and never carry
// credentials to another server.
#pragma once

#include <string>

#include "http_client.h"
#include "url.h"

namespace imageswitch {

/// True when `req` carries credentials (Authorization or Proxy-Authorization header, user
/// information in its URL, a client certificate or key).
bool has_credentials(const HttpRequest& req);

/// True when `target` is req.insecure_host: the one server that may skip TLS verification.
bool is_insecure_target(const HttpRequest& req, const Url& target);

/// Why `req` must not be sent to `target` through `proxy` ("" when there is no proxy); "" when
/// it may. Credentials over plain HTTP go only to req.insecure_host; a plain-HTTP request never
/// goes through an http:// proxy whose URL holds credentials (they would cross in clear text).
std::string transport_refusal(const HttpRequest& req, const Url& target, const std::string& proxy);

/// Why the redirect from `from` to `to` is not followed; "" when it is. Only http(s); never
/// from HTTPS to HTTP unless `to` is req.insecure_host.
std::string redirect_refusal(const HttpRequest& req, const Url& from, const Url& to);

/// The next hop of `req` after a `status` redirect to `location` (`to`, parsed): credentials and
/// client certificate dropped when the server changes, TLS verification back on when leaving
/// the insecure host, 303 (and 301/302 after anything but GET/HEAD) turned into a GET.
HttpRequest redirected(const HttpRequest& req, const Url& from, const Url& to,
                       const std::string& location, long status);

}  // namespace imageswitch
