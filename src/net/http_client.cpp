#include "http_client.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include "curl_compat.h"
#include "failpoint.h"
#include "proxy.h"
#include "transport_policy.h"

namespace imageswitch {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

/// Collects the body up to `limit` bytes; counts what arrived beyond it.
struct BodySink {
  std::string* body;
  std::size_t limit;
  std::size_t received = 0;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t n = size * count;
  sink->received += n;
  if (sink->body->size() + n > sink->limit) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* resp = static_cast<HttpResponse*>(user);
  const std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    resp->headers.clear();  // a new response (after 100-continue or a proxy's CONNECT answer)
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value = line.substr(colon + 1);
  const auto first = value.find_first_not_of(" \t");
  const auto last = value.find_last_not_of(" \t\r\n");
  value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  auto [it, inserted] = resp->headers.emplace(name, value);
  if (!inserted && name != "www-authenticate") it->second += ", " + value;
  return size * count;
}

bool retryable_status(long status) {
  return status == 429 || (status >= 500 && status <= 599);
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool idempotent(const std::string& method) {
  return method == "GET" || method == "HEAD";
}

std::string what(const HttpRequest& req) {
  return req.method + " " + redact_url(req.url);
}

std::string seconds_text(std::chrono::milliseconds ms) {
  const long tenths = static_cast<long>((ms.count() + 50) / 100);
  return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") +
         " s";
}

/// Appends "Name: value" lines (and an empty Expect: when a body is sent) to `list`.
bool build_headers(SlistPtr& list, const HttpRequest& req, bool with_body) {
  auto append = [&](const std::string& line) {
    curl_slist* head = curl_slist_append(list.get(), line.c_str());
    if (!head) return false;
    if (!list) list.reset(head);  // the first append creates the list; later ones keep its head
    return true;
  };
  for (const std::string& h : req.headers)
    if (!append(h)) return false;
  return !with_body || append("Expect:");
}

Error too_large(const HttpRequest& req, const HttpResponse& resp, const BodySink& sink) {
  const std::string declared = resp.header("content-length");
  std::string size;
  if (!declared.empty() && declared.size() < 20 &&
      std::all_of(declared.begin(), declared.end(), ::isdigit))
    size = declared + " bytes";
  else if (sink.received > sink.limit)
    size = "at least " + std::to_string(sink.received) + " bytes";
  else
    size = "more than " + std::to_string(sink.limit) + " bytes";
  return make_error(ErrorKind::Degraded, what(req) + ": response too large (" + size + ", limit " +
                                             std::to_string(sink.limit) + ")");
}

/// Sets every option of one exchange but the callbacks: URL, proxy, timeouts, protocols, body
/// limit, method and body, headers, TLS.
Result<void> prepare(CURL* c, const HttpRequest& req, const Url& target, const std::string& proxy,
                     long timeout, long connect_timeout, SlistPtr& headers,
                     curl::PemFiles& pem_files) {
  const bool with_body = !req.body.empty() || !idempotent(req.method);
  if (!build_headers(headers, req, with_body))
    return make_error(ErrorKind::Temporary, what(req) + ": out of memory");
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROXY, proxy.c_str());  // "" = direct, never curl's own env lookup
  curl_easy_setopt(c, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(connect_timeout, timeout));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // HttpClient::follow() checks every hop
  curl::restrict_protocols(c, is_insecure_target(req, target));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_body));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "imageswitch");
  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (with_body) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  TlsOptions tls = req.tls;
  tls.verify = req.tls.verify || !is_insecure_target(req, target);
  return curl::apply_tls(c, tls, pem_files);
}

}  // namespace

void CurlHandleDeleter::operator()(void* handle) const {
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(HttpOptions options) : options_(options), deadline_(options.budget) {
  // Test builds: IMAGESWITCH_HTTP_TIMEOUT_MS shortens each attempt, and the budget with it.
  if (const long shortened = test_timeout_ms(0); shortened > 0) {
    options_.timeout_ms = shortened;
    if (!deadline_.unlimited()) deadline_ = Deadline(std::chrono::milliseconds(2 * shortened));
  }
  options_.connect_timeout_ms = std::min(options_.connect_timeout_ms, options_.timeout_ms);
  if (curl::global_init()) curl_.reset(curl_easy_init());
}

Result<HttpResponse> HttpClient::send(const HttpRequest& req) {
  deadline_.start();
  if (deadline_.spent())
    return make_error(ErrorKind::Temporary, what(req) + ": not sent: the time budget of this " +
                                                "pass (" + seconds_text(deadline_.budget()) +
                                                ") is spent");
  const int max_attempts =
      idempotent(req.method) ? (req.attempts > 0 ? req.attempts : options_.max_attempts) : 1;
  auto delay = options_.backoff;
  for (int attempt = 1;; ++attempt) {
    auto resp = follow(req);
    const bool retryable =
        resp ? retryable_status(resp->status) : resp.error().kind == ErrorKind::Temporary;
    if (!retryable || attempt >= max_attempts) return resp;
    auto wait = delay;
    if (resp) {
      const std::string ra = resp->header("retry-after");
      if (!ra.empty() && ra.size() < 6 && std::all_of(ra.begin(), ra.end(), ::isdigit))
        wait = std::chrono::milliseconds(std::stol(ra) * 1000);
    }
    wait = std::min(wait, options_.retry_after_cap);
    if (!deadline_.unlimited() && wait >= deadline_.remaining()) {
      if (resp) return resp;
      Error e = resp.error();
      e.message += "; gave up after " + std::to_string(attempt) + " attempt" +
                   (attempt > 1 ? "s" : "") + ": the time budget of this pass (" +
                   seconds_text(deadline_.budget()) + ") is spent";
      return e;
    }
    std::this_thread::sleep_for(wait);
    delay *= 2;
  }
}

Result<HttpResponse> HttpClient::follow(const HttpRequest& req) {
  HttpRequest hop = req;
  for (long redirects = 0;; ++redirects) {
    const auto target = parse_url(hop.url);
    if (!target) return make_error(ErrorKind::Degraded, what(hop) + ": not an http(s) URL");
    auto resp = send_once(hop, *target);
    if (!resp || !hop.follow_redirects || !is_redirect(resp->status) || resp->redirect_url.empty())
      return resp;
    if (redirects >= options_.max_redirects)
      return make_error(ErrorKind::Temporary,
                        what(req) + ": stopped after " + std::to_string(redirects) + " redirects");
    const auto to = parse_url(resp->redirect_url);
    const std::string refusal =
        to ? redirect_refusal(hop, *target, *to) : "refusing the redirect to a malformed URL";
    if (!refusal.empty()) return make_error(ErrorKind::Degraded, what(hop) + ": " + refusal);
    hop = redirected(hop, *target, *to, resp->redirect_url, resp->status);
  }
}

Result<HttpResponse> HttpClient::send_once(const HttpRequest& req, const Url& target) {
  CURL* c = static_cast<CURL*>(curl_.get());
  if (!c) return make_error(ErrorKind::Temporary, what(req) + ": failed to initialise libcurl");
  if (deadline_.spent())
    return make_error(ErrorKind::Temporary, what(req) + ": not sent: the time budget of this " +
                                                "pass (" + seconds_text(deadline_.budget()) +
                                                ") is spent");
  const std::string proxy = proxy_for(target);
  if (const std::string refusal = transport_refusal(req, target, proxy); !refusal.empty())
    return make_error(ErrorKind::Degraded, what(req) + ": " + refusal);
  long timeout = req.timeout_ms > 0 ? req.timeout_ms : options_.timeout_ms;
  const bool clipped = !deadline_.unlimited() && deadline_.remaining().count() < timeout;
  if (clipped) timeout = std::max<long>(1, static_cast<long>(deadline_.remaining().count()));
  curl_easy_reset(c);  // keeps the connection cache
  HttpResponse resp;
  BodySink sink{&resp.body, req.max_body};
  SlistPtr headers;
  curl::PemFiles pem_files;
  TRY(prepare(c, req, target, proxy, timeout, options_.connect_timeout_ms, headers, pem_files));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp);
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  ++requests_;
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) return too_large(req, resp, sink);
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT && clipped)
      detail += " (clipped to the rest of this pass's time budget of " +
                seconds_text(deadline_.budget()) + ")";
    return make_error(ErrorKind::Temporary, what(req) + ": " + detail);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  char* redirect = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect)
    resp.redirect_url = redirect;
  resp.url = req.url;
  return resp;
}

Result<HttpResponse> http_send(const HttpRequest& req) {
  HttpOptions options;
  options.max_attempts = 1;
  options.budget = std::chrono::milliseconds(0);
  if (req.timeout_ms > 0) options.timeout_ms = req.timeout_ms;
  HttpClient client(options);
  return client.send(req);
}

}  // namespace imageswitch
