// KubeCluster::report(): the MCO's state annotations on the Node plus an Event on each change.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "kube_cluster.h"
#include "text.h"

namespace imageswitch {
namespace {

std::string rfc3339_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string event_name(const std::string& node) {
  const auto ns = std::chrono::system_clock::now().time_since_epoch();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx",
                static_cast<unsigned long long>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(ns).count()));
  return node + "." + buf;
}

}  // namespace

std::string event_reason(const Report& report) {
  std::string out = "ImageSwitch";
  bool upper = true;
  for (char c : report.phase.empty() ? report.state : report.phase) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

nlohmann::json report_patch(const Report& report, const std::string& rv) {
  nlohmann::json annotations = {{kStateAnnotation, report.state},
                                {kReasonAnnotation, one_line(report.reason, kMaxReason)},
                                {kPhaseAnnotation, report.phase}};
  if (!report.current_image.empty()) annotations[kCurrentImageAnnotation] = report.current_image;
  if (!report.current_config.empty()) annotations[kCurrentConfigAnnotation] = report.current_config;
  return {{"metadata", {{"resourceVersion", rv}, {"annotations", annotations}}}};
}

Result<void> KubeCluster::report(const Report& report) {
  const int attempts = std::max(1, client_->options().conflict_retries + 1);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    auto node = get_node(*client_, node_);
    if (!node) return node.error();
    auto old = [&](const char* key) {
      auto it = node->annotations.find(key);
      return it == node->annotations.end() ? std::string() : it->second;
    };
    const bool changed =
        old(kStateAnnotation) != report.state || old(kPhaseAnnotation) != report.phase;
    auto response =
        patch_node(*client_, node_, report_patch(report, node->resource_version), "annotate");
    if (!response) return response.error();
    if (response->status == 409) continue;
    if (response->status / 100 != 2) return api_error({"annotate", "node", node_}, *response);
    if (changed) TRY(post_event(node->uid, report));
    return {};
  }
  return make_error(ErrorKind::Temporary, "Failed to annotate node '" + node_ +
                                              "': still 409 Conflict after " +
                                              std::to_string(attempts) + " attempts");
}

Result<void> KubeCluster::post_event(const std::string& node_uid, const Report& report) {
  std::string message = report.state;
  if (!report.phase.empty()) message += ": " + report.phase;
  if (!report.current_image.empty()) message += "; running " + report.current_image;
  if (!report.current_config.empty()) message += " (" + report.current_config + ")";
  if (!report.reason.empty()) message += "; " + report.reason;
  const std::string now = rfc3339_now();
  const std::string name = event_name(node_);
  const nlohmann::json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name}, {"namespace", "default"}}},
      {"involvedObject",
       {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node_}, {"uid", node_uid}}},
      {"reason", event_reason(report)},
      {"message", one_line(message, 1024)},
      {"type", report.state == "Degraded" ? "Warning" : "Normal"},
      {"source", {{"component", "imageswitch"}, {"host", node_}}},
      {"reportingComponent", "imageswitch"},
      {"reportingInstance", node_},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1}};
  auto body = client_->call_ok({"create", "event", "default/" + name}, "POST",
                               "/api/v1/namespaces/default/events", event);
  if (!body) return body.error();
  return {};
}

}  // namespace imageswitch
