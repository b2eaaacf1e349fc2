// Gate "fleetlock": Zincati's FleetLock protocol. POST <base>/v1/pre-reboot takes a slot,
// POST <base>/v1/steady-state gives it back; header "fleet-lock-protocol: true"; body
// {"client_params":{"id":…,"group":…}}; 2xx = ok, otherwise a JSON {"kind":…,"value":…}.
#pragma once

#include <string>

#include "cluster.h"

namespace imageswitch {

/// FleetLock client settings.
struct FleetLockOptions {
  std::string url;    ///< base URL (http or https), no trailing slash needed
  std::string id;     ///< this node's id (the node name)
  std::string group;  ///< reboot group
  long timeout_ms = 30000;
};

/// Gate on a FleetLock server.
class FleetLockGate : public Gate {
 public:
  explicit FleetLockGate(FleetLockOptions options);
  /// pre-reboot: true on 2xx; false when the server answers that the lock is held by others.
  Result<bool> acquire() override;
  /// steady-state: ok on 2xx (idempotent: the server drops our id if it holds a slot).
  Result<void> release() override;
  /// FleetLock slots carry no TTL: nothing to renew (no request).
  Result<bool> renew() override { return true; }

 private:
  FleetLockOptions options_;
};

}  // namespace imageswitch
