// A small libcurl client: one reused easy handle (connection reuse), bounded bodies, timeouts,
// redirect limit, bounded retries with backoff on transport errors, 5xx and 429, and a counter of
// HTTP requests made.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "result.h"

namespace imageswitch {

/// Limits and retry behaviour of an HttpClient.
struct HttpOptions {
  long connect_timeout_ms = 10000;
  long timeout_ms = 60000;
  int max_attempts = 3;                             ///< tries per request, first included
  std::chrono::milliseconds backoff{200};           ///< first retry delay; doubles each time
  std::chrono::milliseconds retry_after_cap{2000};  ///< upper bound honoured for Retry-After
  long max_redirects = 5;
};

/// One request.
struct HttpRequest {
  std::string method = "GET";  ///< "GET" or "HEAD"
  std::string url;
  std::vector<std::string> headers;  ///< "Name: value"
  std::size_t max_body = 4 << 20;    ///< a larger body is an error
  bool verify_tls = true;
  std::string ca_pem;  ///< extra trust anchors (PEM); empty: the system's
  int attempts = 0;    ///< 0: HttpOptions::max_attempts
};

/// One response; header names lower-case, repeated headers joined with ", " except
/// www-authenticate (first kept).
struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  /// The header `name` (lower-case), or "".
  std::string header(const std::string& name) const;
};

struct CurlDeleter {
  void operator()(void* handle) const;
};

/// Sends requests over one reused connection cache.
class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  /// Sends `req`, retrying transport errors, 5xx and 429 within the bounds of the options.
  /// Errors are Temporary, except an oversized body (Degraded).
  Result<HttpResponse> send(const HttpRequest& req);
  /// Number of HTTP requests made so far (every attempt counts).
  std::uint64_t request_count() const { return requests_; }

 private:
  Result<HttpResponse> send_once(const HttpRequest& req);
  HttpOptions options_;
  std::unique_ptr<void, CurlDeleter> curl_;
  std::uint64_t requests_ = 0;
};

}  // namespace imageswitch
