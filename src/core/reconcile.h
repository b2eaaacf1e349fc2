// The imperative shell of one reconcile pass: observe, ask plan for the next step, carry it out,
// persist before each irreversible step, report, repeat until the plan says stop.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "cluster.h"
#include "config.h"
#include "host_backend.h"
#include "plan.h"
#include "image_trust.h"

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

/// How a pass ended.
struct PassOutcome {
  int exit_code = 0;    ///< the CLI contract: 0, 1 (degraded), 2 (usage), 75 (temporary)
  Step last_step;       ///< the step the pass stopped at
  std::string message;  ///< one line for the admin
};

/// Exit code of the contract for an error of `kind`.
int exit_code_for(ErrorKind kind);

/// Runs one reconcile pass.
PassOutcome reconcile(const Settings& settings, Services& services);

}  // namespace imageswitch
