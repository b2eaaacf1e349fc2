#include "fleetlock.h"

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "kube_client.h"

namespace imageswitch {
namespace {

/// The {"kind","value"} error of a FleetLock answer, as "kind: value".
std::string fleetlock_error(const std::string& body) {
  const auto parsed = parse_json_strict(body, "FleetLock answer", {64 << 10, 8});
  const nlohmann::json json = parsed ? *parsed : nlohmann::json();
  if (!json.is_object()) return "no FleetLock error body";
  std::string text = json_string(json, "kind");
  if (text.empty()) text = "unknown";
  if (const std::string value = json_string(json, "value"); !value.empty()) text += ": " + value;
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return text.size() > 300 ? text.substr(0, 300) : text;
}

/// True for the error kinds that mean "all slots are taken" rather than a failure.
bool lock_is_held(const std::string& body) {
  const auto parsed = parse_json_strict(body, "FleetLock answer", {64 << 10, 8});
  const nlohmann::json json = parsed ? *parsed : nlohmann::json();
  if (!json.is_object()) return false;
  const std::string kind = json_string(json, "kind");
  return kind.find("lock") != std::string::npos || kind.find("semaphore") != std::string::npos ||
         kind.find("held") != std::string::npos || kind.find("reboot_slot") != std::string::npos;
}

}  // namespace

FleetLockGate::FleetLockGate(FleetLockOptions options) : options_(std::move(options)) {
  while (!options_.url.empty() && options_.url.back() == '/') options_.url.pop_back();
}

namespace {

Result<HttpResponse> post(const FleetLockOptions& options, const std::string& endpoint) {
  HttpRequest request;
  request.method = "POST";
  request.url = options.url + endpoint;
  request.timeout_ms = options.timeout_ms;
  request.follow_redirects = false;
  request.max_body = 64 << 10;  // a FleetLock answer is a small {"kind","value"} object
  request.headers = {"fleet-lock-protocol: true", "Content-Type: application/json"};
  request.body =
      nlohmann::json{{"client_params", {{"id", options.id}, {"group", options.group}}}}.dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return http_send(request);
}

}  // namespace

Result<bool> FleetLockGate::acquire() {
  auto response = post(options_, "/v1/pre-reboot");
  if (!response) return wrap("Failed to take the FleetLock slot", response.error());
  if (response->status / 100 == 2) return true;
  if (lock_is_held(response->body)) return false;
  const ErrorKind kind = response->status >= 500 ? ErrorKind::Temporary : ErrorKind::Degraded;
  return make_error(kind, "Failed to take the FleetLock slot at '" + options_.url + "': HTTP " +
                              std::to_string(response->status) + " (" +
                              fleetlock_error(response->body) + ")");
}

Result<void> FleetLockGate::release() {
  auto response = post(options_, "/v1/steady-state");
  if (!response) return wrap("Failed to release the FleetLock slot", response.error());
  if (response->status / 100 == 2) return {};
  const ErrorKind kind = response->status >= 500 ? ErrorKind::Temporary : ErrorKind::Degraded;
  return make_error(kind, "Failed to release the FleetLock slot at '" + options_.url + "': HTTP " +
                              std::to_string(response->status) + " (" +
                              fleetlock_error(response->body) + ")");
}

}  // namespace imageswitch
