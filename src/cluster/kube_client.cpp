#include "kube_client.h"

#include "failpoint.h"

namespace imageswitch {
namespace {

std::string reason_phrase(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "HTTP error";
  }
}

constexpr std::size_t kMaxObjectBytes = 4 << 20;
constexpr std::size_t kMaxListBytes = 8 << 20;

std::string describe(const ApiTarget& target) {
  std::string out = "Failed to " + target.verb + " " + target.resource;
  if (!target.name.empty()) out += " '" + target.name + "'";
  return out;
}

}  // namespace

KubeClient::KubeClient(std::string kubeconfig_path, KubeOptions options)
    : kubeconfig_path_(std::move(kubeconfig_path)), options_(options) {
  options_.timeout_ms = test_timeout_ms(options_.timeout_ms);
}

KubeClient::KubeClient(KubeConfig config, KubeOptions options)
    : config_(std::move(config)), options_(options) {}

Result<void> KubeClient::ensure_config() {
  if (config_) return {};
  auto loaded = load_kubeconfig(kubeconfig_path_);
  if (!loaded) return loaded.error();
  config_ = std::move(*loaded);
  return {};
}

Result<ApiResponse> KubeClient::call(const ApiTarget& target, const std::string& method,
                                     const std::string& path, const nlohmann::json& body,
                                     const std::string& content_type, const std::string& accept) {
  TRY(ensure_config());
  HttpRequest request;
  request.method = method;
  request.url = config_->server + path;
  request.timeout_ms = options_.timeout_ms;
  request.follow_redirects = false;
  // One object is at most etcd's 1.5 MiB; the one list read (this node's pods, at most a few
  // hundred) gets 8 MiB. JSON costs ~40 times its size in memory once parsed.
  request.max_body = path.find('?') == std::string::npos ? kMaxObjectBytes : kMaxListBytes;
  request.tls = config_->tls;
  request.headers.push_back("Accept: " + accept);
  request.headers.push_back("User-Agent: imageswitch");
  if (!config_->token.empty()) request.headers.push_back("Authorization: Bearer " + config_->token);
  if (!body.is_null()) {
    // Invalid UTF-8 (e.g. in a reason taken from a tool's output) is replaced, never thrown.
    request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    request.headers.push_back("Content-Type: " + content_type);
  }
  auto response = http_send(request);
  if (!response) {
    Error e = response.error();
    e.message = describe(target) + ": " + e.message;
    return e;
  }
  ApiResponse out;
  out.status = response->status;
  // A body that is no JSON at all (a proxy's HTML error page) leaves the status to speak; valid
  // JSON with a duplicate key, or nested too deeply, is refused: two readers must not disagree.
  auto parsed = parse_json_strict(response->body, describe(target) + ": answer",
                                  JsonLimits{request.max_body});
  if (!parsed && nlohmann::json::accept(response->body)) return parsed.error();
  out.body = parsed ? std::move(*parsed) : nlohmann::json(nullptr);
  return out;
}

Result<nlohmann::json> KubeClient::call_ok(const ApiTarget& target, const std::string& method,
                                           const std::string& path, const nlohmann::json& body,
                                           const std::string& content_type) {
  auto response = call(target, method, path, body, content_type);
  if (!response) return response.error();
  if (response->status / 100 != 2) return api_error(target, *response);
  return std::move(response->body);
}

std::string status_message(const nlohmann::json& body) {
  if (!body.is_object()) return "";
  auto it = body.find("message");
  if (it == body.end() || !it->is_string()) return "";
  std::string text = it->get<std::string>();
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (text.size() > 500) text = text.substr(0, 497) + "...";
  return text;
}

Error api_error(const ApiTarget& target, const ApiResponse& response) {
  std::string text = describe(target) + ": " + std::to_string(response.status) + " " +
                     reason_phrase(response.status);
  if (const std::string detail = status_message(response.body); !detail.empty())
    text += " (" + detail + ")";
  ErrorKind kind = ErrorKind::Degraded;
  if (response.status == 401) {
    text += ": the API server rejected the kubelet credentials; check the kubeconfig";
    kind = ErrorKind::Temporary;
  } else if (response.status == 403) {
    text += ": the kubelet identity lacks this permission";
  } else if (response.status >= 500 || response.status == 429 || response.status == 409) {
    kind = ErrorKind::Temporary;
  }
  return make_error(kind, std::move(text));
}

}  // namespace imageswitch
