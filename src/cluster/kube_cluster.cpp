#include "kube_cluster.h"

#include <algorithm>

#include "text.h"

namespace imageswitch {
namespace {

bool has_label(const Node& node, const char* label) {
  return node.labels.count(label) > 0;
}

/// The annotation `key` as it enters the agent: trimmed, one line of valid UTF-8 with control
/// characters escaped, at most kMaxStoredText bytes (anyone who may edit the Node writes it).
std::string annotation(const Node& node, const char* key) {
  auto it = node.annotations.find(key);
  return it == node.annotations.end() ? std::string() : printable(trim(it->second));
}

}  // namespace

AnnotationSource::AnnotationSource(std::shared_ptr<KubeClient> client, std::string node,
                                   std::string annotation)
    : client_(std::move(client)), node_(std::move(node)), annotation_(std::move(annotation)) {}

// The idle tick: one metadata-only GET from the API server's cache answers desiredImage,
// desiredConfig and controlPlaneTopology together.
Result<std::string> AnnotationSource::desired() {
  auto node = get_node_metadata(*client_, node_);
  if (!node) return node.error();
  config_ = annotation(*node, kDesiredConfigAnnotation);
  topology_ = annotation(*node, kTopologyAnnotation);
  return annotation(*node, annotation_.c_str());
}

std::optional<Topology> topology_from_annotation(const Node& node) {
  if (!node.annotations.count(kTopologyAnnotation)) return std::nullopt;
  const std::string told = annotation(node, kTopologyAnnotation);
  const std::string decided_by = "the Node's controlPlaneTopology annotation '" + told + "'";
  // machine-config-operator pkg/daemon: only SingleReplica skips the drain; HighlyAvailable,
  // External or anything unknown drains.
  return Topology{told == "SingleReplica", decided_by};
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

// Only without the MCO's annotation. A node may read only its own Node (Kubernetes ≥ 1.34
// AuthorizeNodeWithSelectors), so nodes cannot be counted. Instead: the node carries both the
// control-plane and the worker role, and the `kubernetes` Service's endpoints (readable by nodes)
// list exactly one API server, on one of this node's InternalIPs — the single-node shape.
Result<bool> KubeCluster::guess_single_node(const Node& node) {
  const bool control = has_label(node, "node-role.kubernetes.io/master") ||
                       has_label(node, "node-role.kubernetes.io/control-plane");
  if (!control || !has_label(node, "node-role.kubernetes.io/worker")) return false;
  const ApiTarget target{"get", "endpoints", "default/kubernetes"};
  auto endpoints = client_->call(target, "GET", "/api/v1/namespaces/default/endpoints/kubernetes");
  if (!endpoints) return endpoints.error();
  // Unreadable (a stricter authorizer) or absent: not provably alone, so drain.
  if (endpoints->status == 403 || endpoints->status == 404) return false;
  if (endpoints->status / 100 != 2) return api_error(target, *endpoints);
  std::vector<std::string> ips;
  const auto& subsets = json_member(endpoints->body, "subsets");
  for (const auto& subset : subsets.is_array() ? subsets : nlohmann::json::array()) {
    const auto& addresses = json_member(subset, "addresses");
    if (!addresses.is_array()) continue;
    for (const auto& address : addresses) ips.push_back(json_string(address, "ip"));
  }
  return ips.size() == 1 && std::find(node.internal_ips.begin(), node.internal_ips.end(), ips[0]) !=
                                node.internal_ips.end();
}

Result<Topology> KubeCluster::topology(const Node& node) {
  if (auto told = topology_from_annotation(node)) return *told;
  auto guessed = guess_single_node(node);
  if (!guessed) return guessed.error();
  return Topology{*guessed,
                  "no controlPlaneTopology annotation; role labels and the kubernetes Endpoints"};
}

Result<DrainResult> KubeCluster::drain() {
  auto node = get_node(*client_, node_);  // the full Node: the drain needs spec
  if (!node) return node.error();
  auto topology = this->topology(*node);
  if (!topology) return topology.error();
  DrainResult result;
  result.skipped = topology->single;
  result.decided_by = topology->decided_by;
  if (result.skipped) return result;
  if (!node->unschedulable)
    TRY(set_unschedulable(*client_, node_, true));  // keep an admin's cordon
  TRY(evict_all(*client_, node_, drain_, result.notes));
  return result;
}

Result<void> KubeCluster::uncordon() {
  auto node = get_node(*client_, node_);
  if (!node) return node.error();
  if (!node->annotations.count(kCordonedByUsAnnotation)) return {};  // not our cordon: leave it
  return set_unschedulable(*client_, node_, false);
}

}  // namespace imageswitch
