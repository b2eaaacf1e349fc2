// The narrow interfaces of the cluster side: where the desired image comes from, the drain,
// the concurrency gate and status reporting. Real: kube.h (annotation source, drain, report,
// lease), fleetlock.h; standalone hosts use the file source and NoCluster.
#pragma once

#include <string>
#include <vector>

#include "result.h"

namespace imageswitch {

/// Reads the desired image reference; an empty string means "nothing desired".
class DesiredSource {
 public:
  virtual ~DesiredSource() = default;
  /// The desired image reference, trimmed; empty when absent or empty.
  virtual Result<std::string> desired() = 0;
  /// The MachineConfig name read together with the last desired() (the Node's desiredConfig
  /// annotation); empty when the source has none.
  virtual std::string desired_config() const { return {}; }
};

/// The report the node publishes (Node annotations, Event, status.json).
struct Report {
  std::string state;          ///< "Working" | "Done" | "Degraded"
  std::string current_image;  ///< currentImage: the desiredImage string once its digest is booted
  std::string reason;         ///< empty unless Degraded; one line
  std::string phase;          ///< internal phase name, for the Event reason
  std::string current_config = {};  ///< currentConfig: the desiredConfig read with it ("": keep)
};

/// Outcome of a drain call.
struct DrainResult {
  bool skipped = false;                 ///< true on single-node clusters (nowhere to move pods)
  std::string decided_by = {};          ///< what decided single node or not, for the journal
  std::vector<std::string> notes = {};  ///< one line per evicted pod worth telling (lost data)
};

/// The cluster as seen from one node.
class Cluster {
 public:
  virtual ~Cluster() = default;
  /// True when the node is currently unschedulable (cordoned by anyone); read before drain()
  /// so the caller can persist whether it is the one that cordons.
  virtual Result<bool> cordoned() = 0;
  /// Cordons the node and evicts its pods; Degraded error on timeout naming the blockers.
  virtual Result<DrainResult> drain() = 0;
  /// Marks the node schedulable again if imageswitch cordoned it (recorded on the Node); an
  /// admin's cordon is left alone.
  virtual Result<void> uncordon() = 0;
  /// Publishes `report` (annotations; an Event when the state changed).
  virtual Result<void> report(const Report& report) = 0;
};

/// A cluster-wide concurrency gate (none, Kubernetes Lease semaphore, FleetLock).
class Gate {
 public:
  virtual ~Gate() = default;
  /// Tries to take a slot; false when all slots are held (try again at the next trigger).
  virtual Result<bool> acquire() = 0;
  /// Gives the slot back (idempotent; only a slot held under our identity is touched).
  virtual Result<void> release() = 0;
  /// Renews the slot we hold (a pass while the update is in progress); false when it was lost.
  virtual Result<bool> renew() { return acquire(); }
};

}  // namespace imageswitch
