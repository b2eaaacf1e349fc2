// Wiring: builds the real implementations of every Services interface from the Settings.
#pragma once

#include <memory>
#include <string>

#include "cluster.h"
#include "config.h"
#include "host.h"
#include "reconcile.h"
#include "trust.h"

namespace imageswitch {

/// Owns the real implementations; nothing here touches the network until used.
struct ServiceSet {
  std::unique_ptr<DesiredSource> source;
  std::unique_ptr<HostBackend> host;
  std::unique_ptr<ImageTrust> trust;
  std::unique_ptr<Cluster> cluster;  ///< null on standalone hosts
  std::unique_ptr<Gate> gate;        ///< null when coordination is "none"
  /// A Services view over the owned implementations.
  Services view();
};

/// Builds the real implementations for `settings`.
Result<ServiceSet> make_services(const Settings& settings);

/// The current boot id (/proc/sys/kernel/random/boot_id; test builds honour
/// IMAGESWITCH_BOOT_ID_FILE so the node simulation can "reboot").
std::string read_boot_id();

}  // namespace imageswitch
