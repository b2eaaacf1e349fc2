// A small Kubernetes API client with the kubelet's credentials: lazy (no I/O until the first
// call), JSON in and out, and errors that name the verb and resource so an admin sees which
// permission is missing.
#pragma once

#include "json_util.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "http_client.h"
#include "kubeconfig.h"
#include "result.h"

namespace imageswitch {

/// Client tuning; tests shorten the timeout.
struct KubeOptions {
  long timeout_ms = 30000;   ///< per request
  int conflict_retries = 5;  ///< re-reads after 409 Conflict before giving up
};

/// What a call is about, for messages: "patch", "node", "n1" → "Failed to patch node 'n1'".
struct ApiTarget {
  std::string verb;
  std::string resource;
  std::string name;
};

/// An API answer: status and parsed JSON body (null when the body is not JSON).
struct ApiResponse {
  long status = 0;
  nlohmann::json body;
};

/// The Kubernetes API as this node's identity.
class KubeClient {
 public:
  /// Remembers where the kubeconfig is; reads it at the first request.
  KubeClient(std::string kubeconfig_path, KubeOptions options = {});
  /// Uses an already parsed kubeconfig.
  KubeClient(KubeConfig config, KubeOptions options = {});

  /// Sends `method path` with a JSON `body` (may be null = none) of `content_type`, asking for
  /// `accept`; any HTTP status is returned; transport failures are Temporary errors naming
  /// `target`. Safe to call from several threads once one call has loaded the kubeconfig.
  Result<ApiResponse> call(const ApiTarget& target, const std::string& method,
                           const std::string& path, const nlohmann::json& body = nullptr,
                           const std::string& content_type = "application/json",
                           const std::string& accept = "application/json");
  /// Like call() but any status outside 2xx becomes the error of api_error().
  Result<nlohmann::json> call_ok(const ApiTarget& target, const std::string& method,
                                 const std::string& path, const nlohmann::json& body = nullptr,
                                 const std::string& content_type = "application/json");
  /// The options in use.
  const KubeOptions& options() const { return options_; }

 private:
  Result<void> ensure_config();
  std::string kubeconfig_path_;
  std::optional<KubeConfig> config_;
  KubeOptions options_;
};

/// The message of a Status body, one line and bounded; "" when there is none.
std::string status_message(const nlohmann::json& body);

/// The error for a non-2xx `response` to `target`: 401/5xx/429 Temporary, 403 Degraded with
/// "the kubelet identity lacks this permission", others Degraded.
Error api_error(const ApiTarget& target, const ApiResponse& response);

}  // namespace imageswitch
