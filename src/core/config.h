// /etc/imageswitch/config.json → validated Settings. Every key is optional; an unknown key or a
// wrong type is a usage error (exit 2) naming the key and, for typos, the key that was meant.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace imageswitch {

/// Drain settings ("drain" object).
struct DrainSettings {
  bool enabled = true;
  int timeout_s = 3600;
  int eviction_retry_s = 5;
  int grace_period_s = -1;  ///< -1: the pod's own terminationGracePeriodSeconds
};

/// Coordination settings ("coordination" object).
struct CoordinationSettings {
  std::string kind = "none";                                     ///< "none" | "lease" | "fleetlock"
  std::string namespace_ = "openshift-machine-config-operator";  ///< lease
  std::string name = "imageswitch";                              ///< lease
  int max_holders = 1;                                           ///< lease
  int ttl_s = 5400;  ///< lease holder TTL: must exceed drain timeout + kRebootAllowanceS
  std::string url;   ///< fleetlock base URL
  std::string group = "default";  ///< fleetlock group
  std::string kubeconfig;  ///< lease: credentials with Lease RBAC (empty: the node's kubeconfig)
};

/// Seconds a Lease slot must still cover after the drain: reboot, boot and the confirming pass.
inline constexpr int kRebootAllowanceS = 900;

/// All settings, with the contract's defaults.
struct Settings {
  std::string node_name;  ///< empty in the file → the hostname
  std::string source = "annotation";
  std::string desired_annotation = "machineconfiguration.openshift.io/desiredImage";
  std::string desired_file = "/etc/imageswitch/desired-image";
  std::string kubeconfig = "/var/lib/kubelet/kubeconfig";
  std::string backend = "rpm-ostree";
  std::string auth_file = "/var/lib/kubelet/config.json";
  std::string policy_file = "/etc/containers/policy.json";
  std::string registries_conf = "/etc/containers/registries.conf";
  std::string registries_d = "/etc/containers/registries.d";
  std::string certs_d = "/etc/containers/certs.d";
  std::string state_dir = "/var/lib/imageswitch";
  std::string runtime_dir = "/run/imageswitch";
  std::string architecture;   ///< empty → from uname -m (tests override)
  std::string sysroot = "/";  ///< root of ostree/deploy/<osname>/deploy/<checksum>.<serial>
  DrainSettings drain;
  bool reboot_enabled = true;
  CoordinationSettings coordination;
};

/// Default location of the configuration file.
inline constexpr std::string_view kDefaultConfigPath = "/etc/imageswitch/config.json";

/// Parses the JSON text of a config file named `origin` (for messages) into Settings.
Result<Settings> parse_config(std::string_view text, std::string_view origin);

/// Reads `path`; a missing file at the default path yields the defaults, elsewhere an error.
Result<Settings> load_config(const std::string& path, bool path_was_given);

/// The closest of `candidates` to `word` within a small edit distance, or "".
std::string closest_key(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace imageswitch
