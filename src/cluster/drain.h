// The drain, as `kubectl drain` does it: cordon, evict every pod bound to the node through the
// Eviction API (skipping mirror and DaemonSet pods), retry PDB refusals after a delay and wait for
// the pods to go, all under one global timeout.
#pragma once

#include <string>

#include "kube_client.h"
#include "result.h"

namespace imageswitch {

/// Drain tuning (from settings.drain; the poll interval is shortened by tests).
struct DrainOptions {
  int timeout_s = 3600;
  int eviction_retry_s = 5;
  int grace_period_s = -1;  ///< -1: each pod's own terminationGracePeriodSeconds
  int poll_ms = 1000;       ///< how often deletion is checked
};

/// PATCHes spec.unschedulable of node `node` to `value`.
Result<void> set_unschedulable(KubeClient& client, const std::string& node, bool value);

/// Node annotation recording that imageswitch cordoned the node, so that ownership of the cordon
/// survives the loss of state.json (set with the cordon, removed with the uncordon).
inline constexpr const char* kCordonedByUsAnnotation = "imageswitch.io/cordoned";

/// Evicts the pods of `node` (already cordoned) and waits until they are gone. Timeout →
/// Degraded error naming the pods still there and the PDBs blocking them; a pod matched by
/// several PDBs → Degraded at once; API trouble → Temporary.
Result<void> evict_all(KubeClient& client, const std::string& node, const DrainOptions& options);

/// The PodDisruptionBudget names in a 429 Status body ("The disruption budget X needs …"), or
/// the Status message when none is named.
std::string pdb_blockers(const nlohmann::json& status);

}  // namespace imageswitch
