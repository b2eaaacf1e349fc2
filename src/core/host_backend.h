// The host model (booted and staged deployments) and the narrow interface of an OS backend.
// Real backends: rpm-ostree over D-Bus (rpmostree.h), bootc (bootc.h). Fakes live in tests/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "result.h"

namespace imageswitch {

/// One ostree deployment, reduced to what imageswitch uses.
struct Deployment {
  std::string id;           ///< backend's id (rpm-ostree "id"), may be empty
  std::string checksum;     ///< ostree commit checksum
  std::string image;        ///< container image reference without transport, may be empty
  std::string digest;       ///< "sha256:<hex>" of the image manifest, empty when unknown
  std::string osname = {};  ///< ostree stateroot ("rhcos"), empty when unknown
  int serial =
      0;  ///< deployment serial: files at ostree/deploy/<osname>/deploy/<checksum>.<serial>
};

/// What the image's kargs.d (usr/lib/bootc/kargs.d) changes relative to the booted image's.
struct KargsChange {
  std::vector<std::string> added;    ///< in the staged image's kargs.d, not in the booted one's
  std::vector<std::string> removed;  ///< in the booted image's kargs.d, not in the staged one's
  bool applied = false;              ///< this call rewrote the staged deployment's command line
};

/// What the host runs now and what it will run after the next reboot.
struct HostStatus {
  std::optional<Deployment> booted;  ///< the running deployment
  std::optional<Deployment> staged;  ///< the deployment staged for the next boot, if any
};

/// An OS backend: reads deployments, stages an image, reboots into it.
class HostBackend {
 public:
  virtual ~HostBackend() = default;
  /// Reads the booted and staged deployments.
  virtual Result<HostStatus> status() = 0;
  /// Stages `pinned` ("repo@sha256:…") for the next boot without finalizing or rebooting.
  virtual Result<void> stage(const std::string& pinned) = 0;
  /// Removes the staged deployment (the desired image changed or went away).
  virtual Result<void> cleanup_staged() = 0;
  /// Finalizes `staged` and reboots through logind; returns once the reboot was requested.
  virtual Result<void> reboot(const Deployment& staged) = 0;
  /// Idempotently brings `staged`'s kernel arguments in line with its image's kargs.d; a backend
  /// that applies kargs.d itself (bootc) reports nothing to do. Bad kargs.d → Degraded.
  virtual Result<KargsChange> sync_kernel_args(const Deployment& /*staged*/) {
    return KargsChange{};
  }
};

}  // namespace imageswitch
