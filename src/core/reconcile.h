// The imperative shell of one reconcile pass: observe, ask plan for the next step, carry it out,
// persist before each irreversible step, report, repeat until the plan says stop.
#pragma once

#include <string>

#include "config.h"
#include "observe.h"
#include "plan.h"

namespace imageswitch {

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
