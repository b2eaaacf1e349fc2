// Typed views of the Kubernetes objects we use (Node, Pod), parsed at the boundary with only the
// fields the agent reads, and the calls that fetch or change them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube_client.h"
#include "result.h"

namespace imageswitch {

/// A Node, as far as we care.
struct Node {
  std::string name;
  std::string uid;
  std::string resource_version;
  bool unschedulable = false;
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> labels;
  std::vector<std::string> internal_ips;  ///< status.addresses of type InternalIP
};

/// A Pod, as far as the drain cares.
struct Pod {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string phase;
  bool mirror = false;     ///< annotation kubernetes.io/config.mirror (static pod)
  bool daemonset = false;  ///< owned by a DaemonSet
  bool deleting = false;   ///< metadata.deletionTimestamp set
  bool has_controller = false;
  bool empty_dir = false;  ///< has an emptyDir volume (its data is lost by the eviction)
  /// "namespace/name" for messages.
  std::string key() const { return namespace_ + "/" + name; }
};

/// Parses a Node object; an object without metadata.name is a Degraded error.
Result<Node> parse_node(const nlohmann::json& object);
/// Parses a Pod object.
Result<Pod> parse_pod(const nlohmann::json& object);

/// GET /api/v1/nodes/<name> (the full object, fresh from etcd).
Result<Node> get_node(KubeClient& client, const std::string& name);
/// The Node's metadata only, from the API server's watch cache: GET
/// /api/v1/nodes/<name>?resourceVersion=0 with Accept PartialObjectMetadata (meta.k8s.io/v1), the
/// full Node accepted as fallback (a server that ignores the Accept); spec/status stay empty.
Result<Node> get_node_metadata(KubeClient& client, const std::string& name);
/// Merge-patches Node `name` with `patch` (application/merge-patch+json); `verb` names the
/// action in messages. A patch carrying metadata.resourceVersion may get 409 (returned as is).
Result<ApiResponse> patch_node(KubeClient& client, const std::string& name,
                               const nlohmann::json& patch, const std::string& verb);
/// Pods bound to node `node` (fieldSelector=spec.nodeName=<node>); `cached` adds
/// resourceVersion=0 (served from the API server's cache, possibly a little stale).
Result<std::vector<Pod>> list_node_pods(KubeClient& client, const std::string& node, bool cached);

}  // namespace imageswitch
