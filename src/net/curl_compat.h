// The one place that knows libcurl versions. RHEL 9 ships libcurl 7.76, Debian 12 ships 7.88:
// every option newer than 7.76 is used only in curl_compat.cpp, behind a version guard with a
// fallback. The unit test 'net_curl_7_76' builds the net layer with IMAGESWITCH_CURL_VERSION_NUM
// set to 7.76.1, which takes every fallback and poisons the newer names, so a stray use of one
// outside these guards fails to compile and the fallbacks stay built and tested.
#pragma once

#ifdef IMAGESWITCH_CURL_VERSION_NUM
// Building the 7.76 path against newer headers: the 7.76 options are deprecated there.
#define CURL_DISABLE_DEPRECATION 1
#include <curl/curl.h>
#else
#include <curl/curl.h>
#define IMAGESWITCH_CURL_VERSION_NUM LIBCURL_VERSION_NUM
#endif

#include <memory>
#include <string>
#include <vector>

#include "result.h"

#define IMAGESWITCH_CURL_HAS_PROTOCOLS_STR (IMAGESWITCH_CURL_VERSION_NUM >= 0x075500)  // 7.85.0
#define IMAGESWITCH_CURL_HAS_CAINFO_BLOB (IMAGESWITCH_CURL_VERSION_NUM >= 0x074d00)    // 7.77.0
#define IMAGESWITCH_CURL_HAS_CERT_BLOBS (IMAGESWITCH_CURL_VERSION_NUM >= 0x074700)     // 7.71.0

#if !IMAGESWITCH_CURL_HAS_PROTOCOLS_STR
#pragma GCC poison CURLOPT_PROTOCOLS_STR CURLOPT_REDIR_PROTOCOLS_STR
#endif
#if !IMAGESWITCH_CURL_HAS_CAINFO_BLOB
#pragma GCC poison CURLOPT_CAINFO_BLOB CURLOPT_PROXY_CAINFO_BLOB
#endif
#if !IMAGESWITCH_CURL_HAS_CERT_BLOBS
#pragma GCC poison CURLOPT_SSLCERT_BLOB CURLOPT_SSLKEY_BLOB
#endif

namespace imageswitch {

struct TlsOptions;

namespace curl {

/// curl_global_init, once per process and thread-safe; false when it failed.
bool global_init();

/// The libcurl version the net layer was built for ("7.88.1", or "7.76.1" in the check build).
std::string built_for_version();

/// Anonymous in-memory files (memfd, /proc/self/fd/N) holding PEM data for libcurl versions
/// without the matching *_BLOB option; they live as long as the transfer that reads them.
class PemFiles {
 public:
  PemFiles() = default;
  ~PemFiles();
  PemFiles(const PemFiles&) = delete;
  PemFiles& operator=(const PemFiles&) = delete;
  /// A path that reads as `pem`; an error when no in-memory file can be made.
  Result<std::string> add(const std::string& pem);

 private:
  std::vector<int> fds_;
};

/// Allows only http and https, and for redirects only https unless `allow_http_redirect`.
void restrict_protocols(CURL* handle, bool allow_http_redirect);

/// Applies CA (file or PEM), client certificate and key (file or PEM) and verification from
/// `tls`; PEM data goes through *_BLOB options or, on older libcurl, through `files`.
Result<void> apply_tls(CURL* handle, const TlsOptions& tls, PemFiles& files);

}  // namespace curl
}  // namespace imageswitch
