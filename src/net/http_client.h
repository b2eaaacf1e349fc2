// The one HTTP client (libcurl) of the agent, for registries, the API server and FleetLock:
// methods and bodies, headers, client certificate and key, CA file or PEM, per-request timeouts
// and body limits, bounded retries with backoff (GET/HEAD only), a pass-wide time budget, the
// cluster's proxy environment, and one transport policy: http/https only; credentials never in
// clear text except to the one host a caller marks insecure; redirects followed here, never from
// HTTPS down to HTTP (unless to that insecure host) and without credentials to another host.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "deadline.h"
#include "result.h"
#include "url.h"

namespace imageswitch {

/// TLS material for one request; empty fields are not used.
struct TlsOptions {
  std::string ca_file;    ///< CA bundle path; replaces the system's
  std::string ca_pem;     ///< CA bundle in memory (PEM); replaces the system's
  std::string cert_file;  ///< client certificate path (PEM)
  std::string cert_pem;   ///< client certificate in memory (PEM)
  std::string key_file;   ///< client key path (PEM)
  std::string key_pem;    ///< client key in memory (PEM); never logged
  bool verify = true;     ///< false only for the host the caller marks insecure
};

/// Limits and retry behaviour of an HttpClient.
struct HttpOptions {
  long connect_timeout_ms = 10000;
  long timeout_ms = 60000;                          ///< one attempt, whole exchange
  int max_attempts = 3;                             ///< tries per GET/HEAD, first included
  std::chrono::milliseconds backoff{200};           ///< first retry delay; doubles each time
  std::chrono::milliseconds retry_after_cap{2000};  ///< upper bound honoured for Retry-After
  long max_redirects = 5;
  /// Time for all requests of this client together, retries and waits included, from its
  /// first request (the registry client lives for one pass): 90 s, so a registry that accepts
  /// connections and never answers ends the pass within 2 minutes. Zero: no budget.
  std::chrono::milliseconds budget{90000};
};

/// One request.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  ///< "Name: value"
  std::string body;                  ///< sent when not empty or the method is not GET/HEAD
  std::size_t max_body = 4 << 20;    ///< a larger answer is an error ("response too large")
  TlsOptions tls;
  int attempts = 0;     ///< 0: HttpOptions::max_attempts (GET/HEAD only; others try once)
  long timeout_ms = 0;  ///< 0: HttpOptions::timeout_ms
  bool follow_redirects = true;
  /// The one "host[:port]" (a registry marked insecure) that may get this request's
  /// credentials over plain HTTP, skip TLS verification and redirect to plain HTTP; "" = none.
  std::string insecure_host;
};

/// One response; header names lower-case, repeated headers joined with ", " except
/// www-authenticate (first kept).
struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string url;           ///< where the answer came from (after redirects)
  std::string redirect_url;  ///< absolute target of a 3xx answer's Location, else ""
  /// The header `name` (lower-case), or "".
  std::string header(const std::string& name) const;
};

struct CurlHandleDeleter {
  /// curl_easy_cleanup.
  void operator()(void* handle) const;
};

/// Sends requests over one reused connection cache, within one time budget.
class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  /// Sends `req`, following redirects and retrying transport errors, 5xx and 429 (GET/HEAD)
  /// within the options and the budget. Transport errors are Temporary; a refused transport
  /// (clear-text credentials, a downgrade) and an oversized body are Degraded.
  Result<HttpResponse> send(const HttpRequest& req);
  /// Number of HTTP requests made so far (every attempt and redirect counts).
  std::uint64_t request_count() const { return requests_; }

 private:
  Result<HttpResponse> follow(const HttpRequest& req);
  Result<HttpResponse> send_once(const HttpRequest& req, const Url& target);
  HttpOptions options_;
  Deadline deadline_;
  std::unique_ptr<void, CurlHandleDeleter> curl_;
  std::uint64_t requests_ = 0;
};

/// One request on a fresh connection without retries or budget (API server, FleetLock: their
/// requests are not idempotent and their callers bound time themselves).
Result<HttpResponse> http_send(const HttpRequest& req);

}  // namespace imageswitch
