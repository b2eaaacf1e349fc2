// The cluster as seen from one node through the kubelet's credentials: the desired image from a
// Node annotation, cordon/drain/uncordon, and the report (annotations + an Event on change).
#pragma once

#include <memory>
#include <string>

#include "cluster.h"
#include "drain.h"
#include "kube_client.h"

namespace imageswitch {

/// Annotation names written by report() (machine-config-operator compatible, plus our phase).
inline constexpr const char* kCurrentImageAnnotation =
    "machineconfiguration.openshift.io/currentImage";
inline constexpr const char* kStateAnnotation = "machineconfiguration.openshift.io/state";
inline constexpr const char* kReasonAnnotation = "machineconfiguration.openshift.io/reason";
inline constexpr const char* kPhaseAnnotation = "imageswitch.io/phase";
/// Longest reason annotation written.
inline constexpr std::size_t kMaxReason = 2000;

/// DesiredSource "annotation": the value of `annotation` on Node `node` ("" when absent/empty).
class AnnotationSource : public DesiredSource {
 public:
  AnnotationSource(std::shared_ptr<KubeClient> client, std::string node, std::string annotation);
  Result<std::string> desired() override;

 private:
  std::shared_ptr<KubeClient> client_;
  std::string node_;
  std::string annotation_;
};

/// Cluster through the Kubernetes API.
class KubeCluster : public Cluster {
 public:
  KubeCluster(std::shared_ptr<KubeClient> client, std::string node, DrainOptions drain);
  Result<bool> cordoned() override;
  Result<DrainResult> drain() override;
  Result<void> uncordon() override;
  Result<void> report(const Report& report) override;
  /// True when this node is the whole cluster (see single_node() in kube_cluster.cpp).
  Result<bool> single_node();

 private:
  Result<void> post_event(const std::string& node_uid, const Report& report);
  std::shared_ptr<KubeClient> client_;
  std::string node_;
  DrainOptions drain_;
};

/// One line of at most `limit` bytes: control characters become spaces.
std::string one_line(std::string text, std::size_t limit);

/// "ImageSwitch" + the CamelCase of `phase` (or of `state` when `phase` is empty).
std::string event_reason(const Report& report);

}  // namespace imageswitch
