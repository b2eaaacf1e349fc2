// Wiring: the one place that builds the real implementations (rpm-ostree or bootc, the registry
// image trust, the Kubernetes cluster, the gate, the desired-image source) from the Settings.
// Nothing here touches the network or the bus until a service is used.
#pragma once

#include <memory>
#include <string>

#include "cluster.h"
#include "config.h"
#include "host_backend.h"
#include "image_trust.h"
#include "reconcile.h"

namespace imageswitch {

/// Owns the real implementations.
struct ServiceSet {
  std::unique_ptr<DesiredSource> source;
  std::unique_ptr<HostBackend> host;
  std::unique_ptr<ImageTrust> trust;
  std::unique_ptr<Cluster> cluster;  ///< null on standalone hosts
  std::unique_ptr<Gate> gate;        ///< null when coordination is "none"
  /// A Services view over the owned implementations.
  Services view();
};

/// Builds the real implementations for validated `settings`.
Result<ServiceSet> make_services(const Settings& settings);

/// The backend for `settings.backend` ("rpm-ostree" or "bootc"; test builds let
/// IMAGESWITCH_BOOTC name the bootc executable). An unknown name yields nullptr.
std::unique_ptr<HostBackend> make_host_backend(const Settings& settings);

/// The DesiredSource of settings.source ("annotation" or "file").
std::unique_ptr<DesiredSource> make_desired_source(const Settings& settings);

/// The Kubernetes cluster; nullptr when settings.source is "file" and settings.kubeconfig does
/// not exist (a standalone host: no drain, no report to a cluster).
std::unique_ptr<Cluster> make_cluster(const Settings& settings);

/// The Gate of settings.coordination.kind ("lease", "fleetlock"); nullptr for "none".
std::unique_ptr<Gate> make_gate(const Settings& settings);

/// HTTP requests made by `trust` if it is the registry implementation, else 0 (benchmark).
std::uint64_t trust_request_count(const ImageTrust& trust);

/// The current boot id (/proc/sys/kernel/random/boot_id; test builds honour
/// IMAGESWITCH_BOOT_ID_FILE so the node simulation can "reboot").
std::string read_boot_id();

}  // namespace imageswitch
