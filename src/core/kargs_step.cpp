#include "kargs_step.h"

#include "failpoint.h"
#include "journal.h"

namespace imageswitch {

std::string describe_kargs(const KargsChange& change) {
  std::string out;
  for (const auto& a : change.added) out += (out.empty() ? "+" : " +") + a;
  for (const auto& r : change.removed) out += (out.empty() ? "-" : " -") + r;
  return out;
}

KargsStepOutcome run_kargs_step(HostBackend& host, const Deployment& staged,
                                const KargsStepContext& context) {
  KargsStepOutcome outcome;
  IMAGESWITCH_FAILPOINT("before-kargs");
  auto change = host.sync_kernel_args(staged);
  if (!change) {
    Error e = change.error();
    if (e.kind == ErrorKind::Degraded) {
      // The image is bad: do not leave it staged for an unrelated reboot to pick up.
      if (auto cleaned = host.cleanup_staged(); !cleaned)
        e.message +=
            " (the staged deployment could not be removed: " + cleaned.error().message + ")";
    }
    outcome.error = std::move(e);
    return outcome;
  }
  IMAGESWITCH_FAILPOINT("after-kargs");
  outcome.summary = describe_kargs(*change);
  outcome.applied = change->applied;
  if (change->applied) {
    JournalEntry entry;
    entry.kind = MessageKind::KernelArgs;
    entry.priority = Priority::Notice;
    entry.message = "Applied the kernel arguments of " + context.image +
                    " to the staged deployment: " + outcome.summary;
    entry.phase = context.phase;
    entry.image = context.desired;
    entry.digest = context.digest;
    entry.reason = outcome.summary;
    journal_send(entry);
  }
  return outcome;
}

}  // namespace imageswitch
