// The shell's kernel-arguments step: on every pass past staging (before gate, drain and reboot)
// the staged deployment's kernel arguments are brought in line with its image's kargs.d through
// HostBackend::sync_kernel_args, which is idempotent, so a crash before, during or after it
// converges with the arguments applied once. Journals an applied change (MessageKind::KernelArgs);
// a bad kargs.d removes the staged deployment so the host stays on the booted image.
#pragma once

#include <optional>
#include <string>

#include "host_backend.h"
#include "result.h"

namespace imageswitch {

/// "+a +b=c -d" for journal and status lines; "" when `change` has nothing.
std::string describe_kargs(const KargsChange& change);

/// What the step did in this pass.
struct KargsStepOutcome {
  std::optional<Error> error;  ///< set when the pass must stop; Degraded = the image's kargs.d
  std::string summary;         ///< describe_kargs() of the image's change, for status
  bool applied = false;        ///< the staged deployment was rewritten (re-read the host)
};

/// Facts for the journal entry of an applied change.
struct KargsStepContext {
  std::string image;  ///< pinned reference being deployed
  std::string desired;
  std::string digest;
  std::string phase;
};

/// Runs the step for `staged` (failpoints before-kargs, after-kargs); on a Degraded error the
/// staged deployment is cleaned up (best effort) and the error names the bad file.
KargsStepOutcome run_kargs_step(HostBackend& host, const Deployment& staged,
                                const KargsStepContext& context);

}  // namespace imageswitch
