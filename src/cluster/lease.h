// Gate "lease": a semaphore of `max_holders` slots, one coordination.k8s.io/v1 Lease per slot
// (<name>-0 … <name>-N-1 in <namespace>). A slot is free when it has no holder or its holder
// stopped renewing for leaseDurationSeconds; every write is resourceVersion-guarded, 409 → re-read.
//
// NOTE: the Node authorizer and NodeRestriction let a kubelet identity write only its own Lease
// kube-node-lease/<node>; this gate therefore needs a credential with Lease RBAC in <namespace>
// (with the kubelet's credentials the API answers 403 and the error says so).
#pragma once

#include <memory>
#include <string>

#include "cluster.h"
#include "kube_client.h"

namespace imageswitch {

/// Lease semaphore settings.
struct LeaseOptions {
  std::string namespace_;
  std::string name;
  int max_holders = 1;
  int ttl_s = 5400;
  std::string holder;  ///< our identity: the node name
};

/// Gate on Kubernetes Leases.
class LeaseGate : public Gate {
 public:
  LeaseGate(std::shared_ptr<KubeClient> client, LeaseOptions options);
  /// Renews our slot if we hold one, else takes a free or expired slot; false when all are held.
  Result<bool> acquire() override;
  /// Clears our holder from every slot we hold (idempotent; slots of others are left alone).
  Result<void> release() override;
  /// Renews the renewTime of the slot we hold; false when none is ours any more (taken over
  /// after its TTL by another holder).
  Result<bool> renew() override;

 private:
  /// Tries slot `index`: `take` also takes it when free/expired; true when we hold it afterwards.
  Result<bool> try_slot(int index, bool take);
  /// try_slot() on each slot in order until one is ours; false when none is.
  Result<bool> any_slot(bool take_free);
  std::string slot_name(int index) const;
  std::string collection() const;
  std::shared_ptr<KubeClient> client_;
  LeaseOptions options_;
};

/// Seconds since the epoch of a Kubernetes MicroTime/Time ("2024-01-02T03:04:05.123456Z"); -1
/// when unparsable.
double parse_kube_time(const std::string& text);

/// The current time as a Kubernetes MicroTime.
std::string kube_micro_time_now();

}  // namespace imageswitch
