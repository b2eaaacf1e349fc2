// The drain, as `kubectl drain` does it: cordon, evict every pod bound to the node through the
// Eviction API (skipping mirror and DaemonSet pods), retry refusals after a delay and wait until
// the pods we listed are gone (404 or a new UID), all under one global timeout.
//
// Upstream behaviour followed (kubernetes/kubernetes):
//  - pkg/registry/core/pod/storage/eviction.go: 429 when a PDB allows no disruption; 409 Conflict
//    when the PDB status update keeps conflicting (the handler's RetryOnConflict gives up) or a
//    delete precondition (uid/resourceVersion) fails; Pending, Succeeded, Failed and terminating
//    pods are deleted without a PDB check; 500 when several PDBs match.
//  - staging/src/k8s.io/kubectl/pkg/drain/drain.go: 429 → retry after 5 s, 404 → gone;
//  waitForDelete
//    counts a pod as deleted when it is not found or its UID changed.
#pragma once

#include <string>
#include <vector>

#include "kube_client.h"
#include "result.h"

namespace imageswitch {

/// Drain tuning (from settings.drain; the poll interval is shortened by tests).
struct DrainOptions {
  int timeout_s = 3600;
  int eviction_retry_s = 5;
  int grace_period_s = -1;  ///< -1: each pod's own terminationGracePeriodSeconds
  int poll_ms = 1000;       ///< wait interval: at most one pod list per interval
  int max_parallel = 4;     ///< evictions in flight at once (independent pods)
};

/// PATCHes spec.unschedulable of node `node` to `value`.
Result<void> set_unschedulable(KubeClient& client, const std::string& node, bool value);

/// Node annotation recording that imageswitch cordoned the node, so that ownership of the cordon
/// survives the loss of state.json (set with the cordon, removed with the uncordon).
inline constexpr const char* kCordonedByUsAnnotation = "imageswitch.io/cordoned";

/// Evicts the pods of `node` (already cordoned) and waits until they are gone; appends one line
/// per evicted pod worth telling an admin to `notes`. Timeout → Degraded error naming the pods
/// still there and the PDBs blocking them; a pod matched by several PDBs → Degraded at once;
/// API trouble → Temporary.
Result<void> evict_all(KubeClient& client, const std::string& node, const DrainOptions& options,
                       std::vector<std::string>& notes);

/// The PodDisruptionBudget names in a 429 Status body ("The disruption budget X needs …"), or
/// the Status message when none is named.
std::string pdb_blockers(const nlohmann::json& status);

}  // namespace imageswitch
