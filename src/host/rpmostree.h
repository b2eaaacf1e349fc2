// HostBackend over rpm-ostreed's D-Bus API (org.projectatomic.rpmostree1 on the system bus):
// deployments from Sysroot.Deployments, staging through OS.Rebase with lock-finalization,
// cleanup through OS.Cleanup and the reboot through OS.FinalizeDeployment (the daemon reboots).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "bus.h"
#include "host_backend.h"
#include "text.h"  // digest_of_reference

namespace imageswitch {

/// Tunables of the rpm-ostree backend (tests shorten the timeouts).
struct RpmOstreeOptions {
  std::chrono::milliseconds transaction_timeout = std::chrono::hours(1);
  std::chrono::milliseconds call_timeout = std::chrono::seconds(60);
  /// Receives relayed transaction progress; empty → the journal (MessageKind::Progress).
  std::function<void(const std::string&)> on_progress;
};

/// One entry of Sysroot.Deployments, reduced to the keys we use.
struct RpmDeployment {
  std::string id;
  std::string checksum;
  bool booted = false;
  bool staged = false;
  std::string image_reference;  ///< container-image-reference, with its transport
  std::string image_digest;     ///< container-image-reference-digest, "" on older daemons
};

/// Reads the keys we use out of one deployment dictionary.
RpmDeployment parse_rpm_deployment(const Dict& dict);

/// `ref` without its ostree container transport ("ostree-unverified-registry:" etc.).
std::string strip_transport(const std::string& ref);

/// The backend-neutral Deployment (digest falls back to the one inside a pinned reference).
Deployment to_deployment(const RpmDeployment& d);

/// HostBackend talking to rpm-ostreed; connects and registers lazily, unregisters on destruction.
class RpmOstreeBackend : public HostBackend {
 public:
  explicit RpmOstreeBackend(RpmOstreeOptions options = {});
  ~RpmOstreeBackend() override;
  RpmOstreeBackend(const RpmOstreeBackend&) = delete;
  RpmOstreeBackend& operator=(const RpmOstreeBackend&) = delete;

  Result<HostStatus> status() override;
  Result<void> stage(const std::string& pinned) override;
  Result<void> cleanup_staged() override;
  Result<void> reboot(const Deployment& staged) override;

 private:
  /// Opens the system bus and calls RegisterClient (once).
  Result<void> connect();
  /// The object path of the booted OS (Sysroot.Booted).
  Result<std::string> booted_os();
  /// Starts `method` on the booted OS with arguments appended by `append`, then runs the
  /// returned transaction to its end.
  Result<void> transact(const char* method, const std::function<int(sd_bus_message*)>& append);

  RpmOstreeOptions options_;
  BusPtr bus_;
  bool registered_ = false;
};

}  // namespace imageswitch
