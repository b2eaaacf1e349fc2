// HostBackend over rpm-ostreed's D-Bus API (org.projectatomic.rpmostree1 on the system bus):
// deployments from Sysroot.Deployments, staging through OS.Rebase with lock-finalization,
// cleanup through OS.Cleanup, the image's kargs.d through OS.GetDeploymentBootConfig +
// OS.KernelArgs (rpmostree_kargs.cpp) and the reboot through OS.FinalizeDeployment
// (rpmostree_finalize.cpp; the daemon reboots). Both daemon generations are handled: before 2025.7
// FinalizeDeployment wants the base commit checksum, from 2025.7 on the image digest
// (rpmostreed-transaction-types.cxx).
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
  /// Receives relayed transaction progress (the shell journals it); empty → dropped.
  std::function<void(const std::string&)> on_progress;
  std::string sysroot = "/";  ///< where ostree/deploy/<osname>/deploy/… are
  std::string architecture;   ///< config architecture (kargs.d match-architectures); "" → uname
};

/// One entry of Sysroot.Deployments, reduced to the keys we use.
struct RpmDeployment {
  std::string id;
  std::string osname;
  std::string checksum;
  int serial = 0;
  bool booted = false;
  bool staged = false;
  bool finalization_locked = false;  ///< "finalization-locked" (staged with lock-finalization)
  std::string image_reference;       ///< container-image-reference, with its transport
  std::string image_digest;          ///< container-image-reference-digest, "" on older daemons
};

/// Reads the keys we use out of one deployment dictionary.
RpmDeployment parse_rpm_deployment(const Dict& dict);

/// `ref` without its ostree container transport ("ostree-unverified-registry:" etc.).
std::string strip_transport(const std::string& ref);

/// The backend-neutral Deployment (digest falls back to the one inside a pinned reference).
Deployment to_deployment(const RpmDeployment& d);

/// Y of the daemon's "Expected staged base checksum X, but found Y" in `message`, or "".
std::string finalize_found_checksum(const std::string& message);

/// True when `message` is one of FinalizeDeployment's refusals (not a passing trouble).
bool finalize_refused(const std::string& message);

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
  Result<KargsChange> sync_kernel_args(const Deployment& staged) override;

 private:
  /// Opens the system bus and calls RegisterClient (once).
  Result<void> connect();
  /// The object path of the booted OS (Sysroot.Booted).
  Result<std::string> booted_os();
  /// Starts `method` on the booted OS with arguments appended by `append`, then runs the
  /// returned transaction to its end.
  Result<void> transact(const char* method, const std::function<int(sd_bus_message*)>& append,
                        const std::function<void()>& on_started = {});
  /// Calls `method` on the booted OS with arguments appended by `append`; returns the reply.
  Result<MessagePtr> call_os(const char* method, const std::function<int(sd_bus_message*)>& append);
  /// FinalizeDeployment({"checksum": expected, "allow-unlocked": true}) run to its end.
  Result<void> finalize(const std::string& expected);
  /// The pending deployment's kernel command line (GetDeploymentBootConfig("", true) options).
  Result<std::string> pending_cmdline();
  /// The kargs.d difference between the booted deployment and `staged`.
  Result<KargsChange> kargs_difference(const Deployment& staged);

  RpmOstreeOptions options_;
  BusPtr bus_;
  bool registered_ = false;
};

}  // namespace imageswitch
