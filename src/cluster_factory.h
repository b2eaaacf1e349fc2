// Builds the cluster-side objects from Settings for the reconcile shell. Construction makes no
// network request: the Kubernetes client reads the kubeconfig and connects at its first call.
#pragma once

#include <memory>
#include <string>

#include "cluster.h"
#include "config.h"

namespace imageswitch {

/// settings.node_name, or the host name (lower-case, as the kubelet registers it) when empty.
std::string node_name_of(const Settings& settings);

/// The DesiredSource of settings.source ("annotation" or "file").
std::unique_ptr<DesiredSource> make_desired_source(const Settings& settings);

/// The Kubernetes cluster; nullptr when settings.source is "file" and settings.kubeconfig does
/// not exist (a standalone host: no drain, no report to a cluster).
std::unique_ptr<Cluster> make_cluster(const Settings& settings);

/// The Gate of settings.coordination.kind ("none", "lease", "fleetlock").
std::unique_ptr<Gate> make_gate(const Settings& settings);

/// Gate "none": always open.
class NoGate : public Gate {
 public:
  Result<bool> acquire() override { return true; }
  Result<void> release() override { return {}; }
};

}  // namespace imageswitch
