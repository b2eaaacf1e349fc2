#include "curl_compat.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "http_client.h"

namespace imageswitch::curl {
namespace {

#if IMAGESWITCH_CURL_HAS_CAINFO_BLOB || IMAGESWITCH_CURL_HAS_CERT_BLOBS
/// Hands `pem` to libcurl as a blob option (libcurl copies it).
void set_blob(CURL* handle, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(handle, option, &blob);
}
#endif

Result<void> set_ca(CURL* handle, const TlsOptions& tls, PemFiles& files) {
  if (!tls.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.ca_pem.empty()) {
#if IMAGESWITCH_CURL_HAS_CAINFO_BLOB
    (void)files;
    set_blob(handle, CURLOPT_CAINFO_BLOB, tls.ca_pem);
#else
    auto path = files.add(tls.ca_pem);
    if (!path) return path.error();
    curl_easy_setopt(handle, CURLOPT_CAINFO, path->c_str());
#endif
  }
  // Given trust anchors replace the system's (the caller adds the system bundle if it wants it).
  if (!tls.ca_file.empty() || !tls.ca_pem.empty())
    curl_easy_setopt(handle, CURLOPT_CAPATH, nullptr);
  return {};
}

/// Sets the file or in-memory PEM of a client certificate or key.
Result<void> set_pem(CURL* handle, CURLoption file_option, [[maybe_unused]] CURLoption blob_option,
                     const std::string& file, const std::string& pem, PemFiles& files) {
  if (!file.empty()) curl_easy_setopt(handle, file_option, file.c_str());
  if (pem.empty()) return {};
#if IMAGESWITCH_CURL_HAS_CERT_BLOBS
  (void)files;
  set_blob(handle, blob_option, pem);
#else
  auto path = files.add(pem);
  if (!path) return path.error();
  curl_easy_setopt(handle, file_option, path->c_str());
#endif
  return {};
}

}  // namespace

bool global_init() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result == CURLE_OK;
}

std::string built_for_version() {
  const unsigned v = IMAGESWITCH_CURL_VERSION_NUM;
  return std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xff) + "." +
         std::to_string(v & 0xff);
}

PemFiles::~PemFiles() {
  for (int fd : fds_) close(fd);
}

Result<std::string> PemFiles::add(const std::string& pem) {
  const int fd = memfd_create("imageswitch-pem", MFD_CLOEXEC);
  if (fd < 0)
    return make_error(ErrorKind::Temporary, std::string("Failed to hold TLS material in memory: ") +
                                                std::strerror(errno));
  fds_.push_back(fd);
  std::size_t done = 0;
  while (done < pem.size()) {
    const ssize_t n = write(fd, pem.data() + done, pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return make_error(
          ErrorKind::Temporary,
          std::string("Failed to hold TLS material in memory: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

void restrict_protocols(CURL* handle, bool allow_http_redirect) {
#if IMAGESWITCH_CURL_HAS_PROTOCOLS_STR
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR,
                   allow_http_redirect ? "http,https" : "https");
#else
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt(
      handle, CURLOPT_REDIR_PROTOCOLS,
      static_cast<long>(allow_http_redirect ? CURLPROTO_HTTP | CURLPROTO_HTTPS : CURLPROTO_HTTPS));
#endif
}

Result<void> apply_tls(CURL* handle, const TlsOptions& tls, PemFiles& files) {
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
  TRY(set_ca(handle, tls, files));
#if IMAGESWITCH_CURL_HAS_CERT_BLOBS
  const CURLoption cert_blob = CURLOPT_SSLCERT_BLOB, key_blob = CURLOPT_SSLKEY_BLOB;
#else
  const CURLoption cert_blob = CURLOPT_SSLCERT, key_blob = CURLOPT_SSLKEY;  // not used: memfd
#endif
  TRY(set_pem(handle, CURLOPT_SSLCERT, cert_blob, tls.cert_file, tls.cert_pem, files));
  if (!tls.cert_file.empty() || !tls.cert_pem.empty())
    curl_easy_setopt(handle, CURLOPT_SSLCERTTYPE, "PEM");
  TRY(set_pem(handle, CURLOPT_SSLKEY, key_blob, tls.key_file, tls.key_pem, files));
  if (!tls.key_file.empty() || !tls.key_pem.empty())
    curl_easy_setopt(handle, CURLOPT_SSLKEYTYPE, "PEM");
  return {};
}

}  // namespace imageswitch::curl
