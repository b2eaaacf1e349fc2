#include "cluster_factory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>

#include "desired_file.h"
#include "fleetlock.h"
#include "kube_cluster.h"
#include "lease.h"

namespace imageswitch {
namespace {

/// A gate for an unknown kind: every call is the same Usage error.
class InvalidGate : public Gate {
 public:
  explicit InvalidGate(std::string kind) : kind_(std::move(kind)) {}
  Result<bool> acquire() override { return error(); }
  Result<void> release() override { return error(); }

 private:
  Error error() const {
    return make_error(ErrorKind::Usage, "Failed to use coordination kind '" + kind_ +
                                            "': expected 'none', 'lease' or 'fleetlock'");
  }
  std::string kind_;
};

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

std::string node_name_of(const Settings& settings) {
  if (!settings.node_name.empty()) return settings.node_name;
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  std::string name = buf;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::unique_ptr<DesiredSource> make_desired_source(const Settings& settings) {
  if (settings.source == "file") return std::make_unique<FileSource>(settings.desired_file);
  return std::make_unique<AnnotationSource>(make_client(settings), node_name_of(settings),
                                            settings.desired_annotation);
}

std::unique_ptr<Cluster> make_cluster(const Settings& settings) {
  struct stat st {};
  if (settings.source == "file" && stat(settings.kubeconfig.c_str(), &st) != 0) return nullptr;
  return std::make_unique<KubeCluster>(make_client(settings), node_name_of(settings),
                                       drain_options(settings));
}

std::unique_ptr<Gate> make_gate(const Settings& settings) {
  const auto& c = settings.coordination;
  if (c.kind == "none") return std::make_unique<NoGate>();
  if (c.kind == "lease") {
    LeaseOptions options{c.namespace_, c.name, c.max_holders, c.ttl_s, node_name_of(settings)};
    // The kubelet identity may only write kube-node-lease/<node>: a fleet-wide semaphore needs
    // credentials with Lease RBAC in the chosen namespace (coordination.kubeconfig).
    const std::string& kubeconfig = c.kubeconfig.empty() ? settings.kubeconfig : c.kubeconfig;
    return std::make_unique<LeaseGate>(std::make_shared<KubeClient>(kubeconfig), options);
  }
  if (c.kind == "fleetlock")
    return std::make_unique<FleetLockGate>(
        FleetLockOptions{c.url, node_name_of(settings), c.group});
  return std::make_unique<InvalidGate>(c.kind);
}

}  // namespace imageswitch
