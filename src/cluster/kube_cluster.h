// The cluster as seen from one node through the kubelet's credentials: the desired image from a
// Node annotation, cordon/drain/uncordon, and the report (annotations + an Event on change).
#pragma once

#include <memory>
#include <string>

#include "cluster.h"
#include "drain.h"
#include "kube_client.h"
#include "kube_types.h"

namespace imageswitch {

/// Annotation names (machine-config-operator pkg/daemon/constants/constants.go, plus our phase).
inline constexpr const char* kCurrentImageAnnotation =
    "machineconfiguration.openshift.io/currentImage";
inline constexpr const char* kCurrentConfigAnnotation =
    "machineconfiguration.openshift.io/currentConfig";
inline constexpr const char* kDesiredConfigAnnotation =
    "machineconfiguration.openshift.io/desiredConfig";
inline constexpr const char* kTopologyAnnotation =
    "machineconfiguration.openshift.io/controlPlaneTopology";
inline constexpr const char* kStateAnnotation = "machineconfiguration.openshift.io/state";
inline constexpr const char* kReasonAnnotation = "machineconfiguration.openshift.io/reason";
inline constexpr const char* kPhaseAnnotation = "imageswitch.io/phase";
/// Longest reason annotation written.
inline constexpr std::size_t kMaxReason = 2000;

/// DesiredSource "annotation": the value of `annotation` on Node `node` ("" when absent/empty),
/// with desiredConfig and controlPlaneTopology from the same metadata-only GET.
class AnnotationSource : public DesiredSource {
 public:
  AnnotationSource(std::shared_ptr<KubeClient> client, std::string node, std::string annotation);
  Result<std::string> desired() override;
  std::string desired_config() const override { return config_; }
  /// controlPlaneTopology read by the last desired() ("" when absent).
  const std::string& topology() const { return topology_; }

 private:
  std::shared_ptr<KubeClient> client_;
  std::string node_;
  std::string annotation_;
  std::string config_;
  std::string topology_;
};

/// Whether the node is alone in its cluster, and what said so.
struct Topology {
  bool single = false;
  std::string decided_by;  ///< e.g. "controlPlaneTopology annotation 'SingleReplica'"
};

/// The MCO's answer from the Node's controlPlaneTopology annotation (the MCD skips cordon and
/// drain for "SingleReplica", drains for anything else); nullopt when the annotation is absent.
std::optional<Topology> topology_from_annotation(const Node& node);

/// Cluster through the Kubernetes API.
class KubeCluster : public Cluster {
 public:
  KubeCluster(std::shared_ptr<KubeClient> client, std::string node, DrainOptions drain);
  Result<bool> cordoned() override;
  Result<DrainResult> drain() override;
  Result<void> uncordon() override;
  Result<void> report(const Report& report) override;
  /// Whether `node` (this Node, as read) is the whole cluster: its controlPlaneTopology
  /// annotation when present, else the guess of guess_single_node().
  Result<Topology> topology(const Node& node);

 private:
  Result<bool> guess_single_node(const Node& node);
  Result<void> post_event(const std::string& node_uid, const Report& report);
  std::shared_ptr<KubeClient> client_;
  std::string node_;
  DrainOptions drain_;
};

/// "ImageSwitch" + the CamelCase of `phase` (or of `state` when `phase` is empty).
std::string event_reason(const Report& report);

/// The merge patch report() sends for `report` (MCO annotations, our phase), guarded by `rv`.
nlohmann::json report_patch(const Report& report, const std::string& rv);

}  // namespace imageswitch
