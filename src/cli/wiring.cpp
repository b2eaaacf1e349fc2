#include "wiring.h"

#include <sys/stat.h>

#include <cstdlib>
#include <ctime>

#include "bootc.h"
#include "desired_file.h"
#include "fileutil.h"
#include "fleetlock.h"
#include "journal.h"
#include "kube_cluster.h"
#include "lease.h"
#include "registry_image_trust.h"
#include "rpmostree.h"

namespace imageswitch {
namespace {

std::shared_ptr<KubeClient> make_client(const Settings& settings) {
  return std::make_shared<KubeClient>(settings.kubeconfig);
}

DrainOptions drain_options(const Settings& settings) {
  DrainOptions options;
  options.timeout_s = settings.drain.timeout_s;
  options.eviction_retry_s = settings.drain.eviction_retry_s;
  options.grace_period_s = settings.drain.grace_period_s;
  return options;
}

}  // namespace

Services ServiceSet::view() {
  return Services{*source, *host, *trust, cluster.get(), gate.get(), read_boot_id, [] {
                    return static_cast<std::int64_t>(std::time(nullptr));
                  }};
}

std::string read_boot_id() {
  std::string path = "/proc/sys/kernel/random/boot_id";
#ifdef IMAGESWITCH_FAILPOINTS
  if (const char* p = std::getenv("IMAGESWITCH_BOOT_ID_FILE")) path = p;
#endif
  auto text = read_file(path, 4096);
  if (!text) return {};
  std::string id = *text;
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

std::unique_ptr<HostBackend> make_host_backend(const Settings& settings) {
  if (settings.backend == "bootc") {
    BootcOptions options;
#ifdef IMAGESWITCH_FAILPOINTS
    if (const char* path = std::getenv("IMAGESWITCH_BOOTC"); path != nullptr && *path != '\0') {
      options.executable = path;
    }
#endif
    return std::make_unique<BootcBackend>(std::move(options));
  }
  if (settings.backend == "rpm-ostree") {
    RpmOstreeOptions options;
    options.sysroot = settings.sysroot;
    options.architecture = settings.architecture;
    options.on_progress = [](const std::string& line) {
      journal_message(MessageKind::Progress, Priority::Info, line);
    };
    return std::make_unique<RpmOstreeBackend>(std::move(options));
  }
  return nullptr;
}

std::unique_ptr<DesiredSource> make_desired_source(const Settings& settings) {
  if (settings.source == "file") return std::make_unique<FileSource>(settings.desired_file);
  return std::make_unique<AnnotationSource>(make_client(settings), settings.node_name,
                                            settings.desired_annotation);
}

std::unique_ptr<Cluster> make_cluster(const Settings& settings) {
  struct stat st {};
  if (settings.source == "file" && stat(settings.kubeconfig.c_str(), &st) != 0) return nullptr;
  return std::make_unique<KubeCluster>(make_client(settings), settings.node_name,
                                       drain_options(settings));
}

std::unique_ptr<Gate> make_gate(const Settings& settings) {
  const auto& c = settings.coordination;
  if (c.kind == "lease") {
    LeaseOptions options{c.namespace_, c.name, c.max_holders, c.ttl_s, settings.node_name};
    // The kubelet identity may only write kube-node-lease/<node>: a fleet-wide semaphore needs
    // credentials with Lease RBAC in the chosen namespace (coordination.kubeconfig).
    const std::string& kubeconfig = c.kubeconfig.empty() ? settings.kubeconfig : c.kubeconfig;
    return std::make_unique<LeaseGate>(std::make_shared<KubeClient>(kubeconfig), options);
  }
  if (c.kind == "fleetlock")
    return std::make_unique<FleetLockGate>(FleetLockOptions{c.url, settings.node_name, c.group});
  return nullptr;
}

std::uint64_t trust_request_count(const ImageTrust& trust) {
  auto* real = dynamic_cast<const RegistryImageTrust*>(&trust);
  return real ? real->request_count() : 0;
}

Result<ServiceSet> make_services(const Settings& settings) {
  ServiceSet set;
  set.source = make_desired_source(settings);
  set.host = make_host_backend(settings);
  set.trust = std::make_unique<RegistryImageTrust>(settings);
  set.cluster = make_cluster(settings);
  set.gate = make_gate(settings);
  if (!set.host)
    return make_error(ErrorKind::Usage,
                      "Failed to set up: backend '" + settings.backend + "' is unknown");
  if (settings.coordination.kind != "none" && !set.gate)
    return make_error(ErrorKind::Usage, "Failed to use coordination kind '" +
                                            settings.coordination.kind +
                                            "': expected 'none', 'lease' or 'fleetlock'");
  return set;
}

}  // namespace imageswitch
