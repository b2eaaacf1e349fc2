#include "kube_http.h"

#include <curl/curl.h>

#include <sys/mman.h>
#include <unistd.h>

#include <memory>
#include <mutex>

namespace imageswitch {
namespace {

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

constexpr std::size_t kMaxBody = 64u << 20;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (body->size() + n > kMaxBody) return 0;  // aborts the transfer
  body->append(data, n);
  return n;
}

void set_blob(CURL* curl, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(curl, option, &blob);
}

/// An anonymous in-memory file holding `content`, reachable as /proc/self/fd/N (for libcurl
/// older than 7.77, which has no CURLOPT_CAINFO_BLOB: RHEL 9 ships 7.76).
class MemFile {
 public:
  explicit MemFile(const std::string& content) : fd_(memfd_create("imageswitch-ca", MFD_CLOEXEC)) {
    if (fd_ >= 0 &&
        write(fd_, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~MemFile() {
    if (fd_ >= 0) close(fd_);
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

void apply_tls(CURL* curl, const TlsOptions& tls, std::unique_ptr<MemFile>& ca_holder) {
  if (!tls.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
#if LIBCURL_VERSION_NUM >= 0x074d00
  (void)ca_holder;
  if (!tls.ca_pem.empty()) set_blob(curl, CURLOPT_CAINFO_BLOB, tls.ca_pem);
#else
  if (!tls.ca_pem.empty()) {
    ca_holder = std::make_unique<MemFile>(tls.ca_pem);
    curl_easy_setopt(curl, CURLOPT_CAINFO, ca_holder->path().c_str());
  }
#endif
  if (!tls.ca_file.empty() || !tls.ca_pem.empty()) curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
  if (!tls.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.cert_pem.empty()) set_blob(curl, CURLOPT_SSLCERT_BLOB, tls.cert_pem);
  if (!tls.cert_file.empty() || !tls.cert_pem.empty())
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
  if (!tls.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.key_file.c_str());
  if (!tls.key_pem.empty()) set_blob(curl, CURLOPT_SSLKEY_BLOB, tls.key_pem);
  if (!tls.key_file.empty() || !tls.key_pem.empty())
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
}

/// Appends `request`'s headers (and an empty "Expect:") to `list`; false when out of memory.
bool append_headers(SlistPtr& list, const KubeHttpRequest& request) {
  auto append = [&](const std::string& line) {
    curl_slist* head = curl_slist_append(list.get(), line.c_str());
    if (!head) return false;
    if (!list) list.reset(head);  // the first append creates the list; later ones keep its head
    return true;
  };
  for (const auto& [name, value] : request.headers)
    if (!append(name + ": " + value)) return false;
  return append("Expect:");
}

}  // namespace

Result<KubeHttpResponse> http_perform(const KubeHttpRequest& request, const TlsOptions& tls) {
  global_init();
  const std::string what = request.method + " " + request.url;
  CurlPtr curl(curl_easy_init());
  if (!curl)
    return make_error(ErrorKind::Temporary, "Failed to " + what + ": curl_easy_init failed");
  CURL* c = curl.get();
  KubeHttpResponse response;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, request.timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, request.connect_timeout_ms);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(c, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  if (request.method != "GET" || !request.body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  SlistPtr headers;
  if (!append_headers(headers, request))
    return make_error(ErrorKind::Temporary, "Failed to " + what + ": out of memory");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  std::unique_ptr<MemFile> ca_holder;
  apply_tls(c, tls, ca_holder);
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(code);
    return make_error(ErrorKind::Temporary, "Failed to " + what + ": " + detail);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace imageswitch
