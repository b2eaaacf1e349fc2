#include "kube_cluster.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "kube_types.h"
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

bool has_label(const Node& node, const char* label) {
  return node.labels.count(label) > 0;
}

}  // namespace

/// Length of the valid UTF-8 sequence at `text[i]`, or 0 when it is not one.
std::size_t utf8_length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  const std::size_t n = lead < 0x80                   ? 1
                        : lead >= 0xc2 && lead < 0xe0 ? 2
                        : lead >= 0xe0 && lead < 0xf0 ? 3
                        : lead >= 0xf0 && lead < 0xf5 ? 4
                                                      : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  return n;
}

std::string one_line(std::string text, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (n == 0) {
      out.push_back('?');  // invalid UTF-8: the API server would reject the whole request
    } else if (n == 1 && (c < 0x20 || c == 0x7f)) {
      out.push_back(' ');
    } else {
      out.append(text, i, n);
    }
    i += n == 0 ? 1 : n;
  }
  if (out.size() <= limit) return out;
  while (!out.empty() && out.size() + 3 > limit) {  // drop whole characters
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xc0) == 0x80) out.pop_back();
    if (!out.empty()) out.pop_back();
  }
  return out + "...";
}

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

AnnotationSource::AnnotationSource(std::shared_ptr<KubeClient> client, std::string node,
                                   std::string annotation)
    : client_(std::move(client)), node_(std::move(node)), annotation_(std::move(annotation)) {}

Result<std::string> AnnotationSource::desired() {
  auto node = get_node(*client_, node_);
  if (!node) return node.error();
  auto it = node->annotations.find(annotation_);
  return it == node->annotations.end() ? std::string() : trim(it->second);
}

KubeCluster::KubeCluster(std::shared_ptr<KubeClient> client, std::string node, DrainOptions drain)
    : client_(std::move(client)), node_(std::move(node)), drain_(drain) {}

Result<bool> KubeCluster::cordoned() {
  auto node = get_node(*client_, node_);
  if (!node) return node.error();
  // Cordoned by someone else: unschedulable without our mark (our own cordon, recorded on the
  // Node, does not count, so a lost state.json still leads to our uncordon).
  return node->unschedulable && !node->annotations.count(kCordonedByUsAnnotation);
}

// A node may read only its own Node (Kubernetes ≥ 1.34 AuthorizeNodeWithSelectors), so nodes
// cannot be counted. Instead: the node carries both the control-plane and the worker role, and
// the `kubernetes` Service's endpoints (readable by nodes) list exactly one API server, on one of
// this node's InternalIPs — the single-node OpenShift shape.
Result<bool> KubeCluster::single_node() {
  auto node = get_node(*client_, node_);
  if (!node) return node.error();
  const bool control = has_label(*node, "node-role.kubernetes.io/master") ||
                       has_label(*node, "node-role.kubernetes.io/control-plane");
  if (!control || !has_label(*node, "node-role.kubernetes.io/worker")) return false;
  auto endpoints = client_->call({"get", "endpoints", "default/kubernetes"}, "GET",
                                 "/api/v1/namespaces/default/endpoints/kubernetes");
  if (!endpoints) return endpoints.error();
  // Unreadable (a stricter authorizer) or absent: not provably alone, so drain.
  if (endpoints->status == 403 || endpoints->status == 404) return false;
  if (endpoints->status / 100 != 2)
    return api_error({"get", "endpoints", "default/kubernetes"}, *endpoints);
  std::vector<std::string> ips;
  const auto& subsets = json_member(endpoints->body, "subsets");
  for (const auto& subset : subsets.is_array() ? subsets : nlohmann::json::array()) {
    const auto& addresses = json_member(subset, "addresses");
    if (!addresses.is_array()) continue;
    for (const auto& address : addresses) ips.push_back(json_string(address, "ip"));
  }
  return ips.size() == 1 && std::find(node->internal_ips.begin(), node->internal_ips.end(),
                                      ips[0]) != node->internal_ips.end();
}

Result<DrainResult> KubeCluster::drain() {
  auto single = single_node();
  if (!single) return single.error();
  if (*single) return DrainResult{true};
  auto node = get_node(*client_, node_);
  if (!node) return node.error();
  if (!node->unschedulable)
    TRY(set_unschedulable(*client_, node_, true));  // keep an admin's cordon
  TRY(evict_all(*client_, node_, drain_));
  return DrainResult{false};
}

Result<void> KubeCluster::uncordon() {
  auto node = get_node(*client_, node_);
  if (!node) return node.error();
  if (!node->annotations.count(kCordonedByUsAnnotation)) return {};  // not our cordon: leave it
  return set_unschedulable(*client_, node_, false);
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
    nlohmann::json annotations = {{kStateAnnotation, report.state},
                                  {kReasonAnnotation, one_line(report.reason, kMaxReason)},
                                  {kPhaseAnnotation, report.phase}};
    if (!report.current_image.empty()) annotations[kCurrentImageAnnotation] = report.current_image;
    const nlohmann::json patch = {
        {"metadata", {{"resourceVersion", node->resource_version}, {"annotations", annotations}}}};
    auto response = patch_node(*client_, node_, patch, "annotate");
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
  if (!report.current_image.empty()) message += "; booted " + report.current_image;
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
