#include "http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "failpoint.h"

namespace imageswitch {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

struct Sink {
  HttpResponse* resp;
  std::size_t limit;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t len = size * n;
  if (sink->resp->body.size() + len > sink->limit) {
    sink->too_large = true;
    return 0;
  }
  sink->resp->body.append(data, len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* resp = static_cast<HttpResponse*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    resp->headers.clear();  // a new response (after a redirect or 100-continue)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value = line.substr(colon + 1);
  auto first = value.find_first_not_of(" \t");
  auto last = value.find_last_not_of(" \t\r\n");
  value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  auto [it, inserted] = resp->headers.emplace(name, value);
  if (!inserted && name != "www-authenticate") it->second += ", " + value;
  return size * n;
}

bool retryable_status(long status) {
  return status == 429 || (status >= 500 && status <= 599);
}

}  // namespace

void CurlDeleter::operator()(void* handle) const {
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(HttpOptions options) : options_(options) {
  options_.timeout_ms = test_timeout_ms(options_.timeout_ms);
  options_.connect_timeout_ms = std::min(options_.connect_timeout_ms, options_.timeout_ms);
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)global;
  curl_.reset(curl_easy_init());
}

Result<HttpResponse> HttpClient::send(const HttpRequest& req) {
  auto delay = options_.backoff;
  for (int attempt = 1;; ++attempt) {
    auto resp = send_once(req);
    bool last = attempt >= (req.attempts > 0 ? req.attempts : options_.max_attempts);
    if (resp && (!retryable_status(resp->status) || last)) return resp;
    if (!resp && (resp.error().kind != ErrorKind::Temporary || last)) return resp;
    auto wait = delay;
    if (resp) {
      std::string ra = resp->header("retry-after");
      if (!ra.empty() && std::all_of(ra.begin(), ra.end(), ::isdigit) && ra.size() < 6)
        wait = std::chrono::milliseconds(std::stol(ra) * 1000);
    }
    std::this_thread::sleep_for(std::min(wait, options_.retry_after_cap));
    delay *= 2;
  }
}

Result<HttpResponse> HttpClient::send_once(const HttpRequest& req) {
  CURL* c = static_cast<CURL*>(curl_.get());
  if (!c) return make_error(ErrorKind::Temporary, "Failed to initialise libcurl");
  curl_easy_reset(c);  // keeps the connection cache
  HttpResponse resp;
  Sink sink{&resp, req.max_body};
  SlistPtr headers;
  for (const std::string& h : req.headers) {
    curl_slist* l = curl_slist_append(headers.get(), h.c_str());
    if (!l) return make_error(ErrorKind::Temporary, "Failed to build HTTP headers");
    (void)headers.release();
    headers.reset(l);
  }
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, options_.max_redirects);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_body));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "imageswitch");
  if (req.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req.verify_tls ? 2L : 0L);
  curl_blob blob{const_cast<char*>(req.ca_pem.data()), req.ca_pem.size(), CURL_BLOB_COPY};
  if (!req.ca_pem.empty()) curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  ++requests_;
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    return make_error(ErrorKind::Degraded, "Failed to fetch '" + req.url +
                                               "': response larger than " +
                                               std::to_string(req.max_body) + " bytes");
  if (rc != CURLE_OK)
    return make_error(ErrorKind::Temporary, "Failed to fetch '" + req.url + "': " +
                                                (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

}  // namespace imageswitch
