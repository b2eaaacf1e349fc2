// One HTTP(S) exchange through libcurl with RAII handles, bounded time and no proxy; shared by the
// Kubernetes client and the FleetLock client. Secrets go in through the request and never out.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "result.h"

namespace imageswitch {

/// TLS material for one connection; empty fields are not used.
struct TlsOptions {
  std::string ca_file;    ///< CA bundle path
  std::string ca_pem;     ///< CA bundle in memory (PEM)
  std::string cert_file;  ///< client certificate path (PEM)
  std::string cert_pem;   ///< client certificate in memory (PEM)
  std::string key_file;   ///< client key path (PEM)
  std::string key_pem;    ///< client key in memory (PEM); never logged
};

/// One request.
struct KubeHttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  ///< name, value
  std::string body;
  long timeout_ms = 30000;  ///< whole exchange
  long connect_timeout_ms = 10000;
};

/// The answer: status and body (headers are not needed by any caller).
struct KubeHttpResponse {
  long status = 0;
  std::string body;
};

/// Performs `request`; transport failures (refused, TLS, timeout) are Temporary errors that name
/// `what` ("GET https://…"). Any HTTP status is a successful exchange.
Result<KubeHttpResponse> http_perform(const KubeHttpRequest& request, const TlsOptions& tls);

}  // namespace imageswitch
