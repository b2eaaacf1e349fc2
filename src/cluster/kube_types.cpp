#include "kube_types.h"

#include "json_util.h"

namespace imageswitch {
namespace {

std::string str(const nlohmann::json& object, const char* key) {
  return json_string(object, key);
}

const nlohmann::json& member(const nlohmann::json& object, const char* key) {
  return json_member(object, key);
}

std::map<std::string, std::string> string_map(const nlohmann::json& object) {
  std::map<std::string, std::string> out;
  if (!object.is_object()) return out;
  for (const auto& [key, value] : object.items())
    if (value.is_string()) out[key] = value.get<std::string>();
  return out;
}

}  // namespace

Result<Node> parse_node(const nlohmann::json& object) {
  const auto& metadata = member(object, "metadata");
  Node node;
  node.name = str(metadata, "name");
  if (node.name.empty())
    return make_error(ErrorKind::Temporary, "Failed to parse node: no metadata.name in the answer");
  node.uid = str(metadata, "uid");
  node.resource_version = str(metadata, "resourceVersion");
  node.annotations = string_map(member(metadata, "annotations"));
  node.labels = string_map(member(metadata, "labels"));
  const auto& unschedulable = member(member(object, "spec"), "unschedulable");
  node.unschedulable = unschedulable.is_boolean() && unschedulable.get<bool>();
  const auto& addresses = member(member(object, "status"), "addresses");
  if (addresses.is_array())
    for (const auto& address : addresses)
      if (str(address, "type") == "InternalIP")
        node.internal_ips.push_back(str(address, "address"));
  return node;
}

Result<Pod> parse_pod(const nlohmann::json& object) {
  const auto& metadata = member(object, "metadata");
  Pod pod;
  pod.namespace_ = str(metadata, "namespace");
  pod.name = str(metadata, "name");
  if (pod.name.empty() || pod.namespace_.empty())
    return make_error(ErrorKind::Temporary, "Failed to parse pod: no metadata.name/namespace");
  pod.uid = str(metadata, "uid");
  pod.phase = str(member(object, "status"), "phase");
  pod.deleting = !member(metadata, "deletionTimestamp").is_null();
  pod.mirror = member(metadata, "annotations").contains("kubernetes.io/config.mirror");
  const auto& volumes = member(member(object, "spec"), "volumes");
  if (volumes.is_array())
    for (const auto& volume : volumes) pod.empty_dir |= !member(volume, "emptyDir").is_null();
  const auto& owners = member(metadata, "ownerReferences");
  if (owners.is_array()) {
    for (const auto& owner : owners) {
      const auto& controller = member(owner, "controller");
      if (controller.is_boolean() && controller.get<bool>()) pod.has_controller = true;
      if (str(owner, "kind") == "DaemonSet") pod.daemonset = true;
    }
  }
  return pod;
}

namespace {

/// Accept header asking for metadata only, JSON either way (apiserver
/// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go: transformObject).
constexpr const char* kMetadataOnly =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json";

Result<Node> fetch_node(KubeClient& client, const std::string& name, const std::string& query,
                        const std::string& accept) {
  const ApiTarget target{"get", "node", name};
  auto response = client.call(target, "GET", "/api/v1/nodes/" + url_encode(name) + query, nullptr,
                              "application/json", accept);
  if (!response) return response.error();
  if (response->status / 100 == 2) return parse_node(response->body);
  Error e = api_error(target, *response);
  if (response->status == 404) e.message += "; set node_name to this host's Node name";
  return e;
}

}  // namespace

Result<Node> get_node(KubeClient& client, const std::string& name) {
  return fetch_node(client, name, "", "application/json");
}

Result<Node> get_node_metadata(KubeClient& client, const std::string& name) {
  return fetch_node(client, name, "?resourceVersion=0", kMetadataOnly);
}

Result<ApiResponse> patch_node(KubeClient& client, const std::string& name,
                               const nlohmann::json& patch, const std::string& verb) {
  return client.call({verb, "node", name}, "PATCH", "/api/v1/nodes/" + url_encode(name), patch,
                     "application/merge-patch+json");
}

Result<std::vector<Pod>> list_node_pods(KubeClient& client, const std::string& node, bool cached) {
  std::string path = "/api/v1/pods?fieldSelector=" + url_encode("spec.nodeName=" + node);
  if (cached) path += "&resourceVersion=0";
  auto body = client.call_ok({"list", "pods on node", node}, "GET", path);
  if (!body) return body.error();
  std::vector<Pod> pods;
  const auto& items = member(*body, "items");
  if (!items.is_array()) return pods;
  for (const auto& item : items) {
    auto pod = parse_pod(item);
    if (!pod) return pod.error();
    pods.push_back(std::move(*pod));
  }
  return pods;
}

}  // namespace imageswitch
