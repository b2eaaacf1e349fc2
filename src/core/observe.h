// One look at the node, shared by `run` (the reconcile pass) and `status`: the persisted state,
// the desired image, the deployments and the boot id. Reading never stops at the first failure,
// so `status` can show what it could read; the pass stops on the first error().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cluster.h"
#include "config.h"
#include "host_backend.h"
#include "image_trust.h"
#include "plan.h"
#include "state.h"

namespace imageswitch {

/// Everything a pass talks to; real implementations in production, fakes in tests.
struct Services {
  DesiredSource& source;
  HostBackend& host;
  ImageTrust& trust;
  Cluster* cluster = nullptr;            ///< nullptr on standalone hosts (no drain, no annotations)
  Gate* gate = nullptr;                  ///< nullptr when coordination is "none"
  std::function<std::string()> boot_id;  ///< the current boot id
  std::function<std::int64_t()> now;     ///< unix seconds
};

/// What one look at the node found; a part that could not be read keeps its error.
struct NodeLook {
  LoadedState saved;            ///< state.json (corrupt: no state plus a warning)
  Result<std::string> desired;  ///< the desired reference; "" = nothing desired
  Result<HostStatus> host;      ///< booted and staged deployments
  std::string boot_id;          ///< the current boot id
  bool has_cluster = false;     ///< a Cluster is configured (drain and reports possible)
};

/// Reads state.json, the desired image, the deployments and the boot id (every part, always).
NodeLook observe(const Settings& settings, Services& services);

/// The first part of `look` that could not be read, in the shell's wording, or nullopt.
std::optional<Error> observe_error(const NodeLook& look);

/// The Observation for decide(); parts that could not be read are left empty.
Observation observation_of(const NodeLook& look);

/// How a deployment is shown: its pinned reference, else its digest, else "ostree:<checksum>".
std::string describe(const std::optional<Deployment>& deployment);

}  // namespace imageswitch
