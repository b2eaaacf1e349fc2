// HostBackend using the bootc executable: `bootc status --format=json` for deployments,
// `bootc switch IMAGE` to stage (bootc finalizes at the next shutdown), logind for the reboot.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "host_backend.h"

namespace imageswitch {

/// Parses the JSON of `bootc status --format=json` (a BootcHost, schema bootc-host-v1).
Result<HostStatus> parse_bootc_status(std::string_view json);

/// Tunables of the bootc backend (tests point `executable` to a fake and shorten timeouts).
struct BootcOptions {
  std::string executable = "/usr/bin/bootc";
  std::chrono::milliseconds status_timeout = std::chrono::minutes(2);
  std::chrono::milliseconds switch_timeout = std::chrono::hours(1);
};

/// HostBackend running bootc with a clean environment (PATH=/usr/sbin:/usr/bin, LANG=C.UTF-8).
class BootcBackend : public HostBackend {
 public:
  explicit BootcBackend(BootcOptions options = {}) : options_(std::move(options)) {}

  Result<HostStatus> status() override;
  Result<void> stage(const std::string& pinned) override;
  Result<void> cleanup_staged() override;
  Result<void> reboot(const Deployment& staged) override;

 private:
  /// Runs bootc with `args`; a non-zero exit, a signal or the timeout is an error naming
  /// `what` and carrying the tail of bootc's stderr. Returns stdout.
  Result<std::string> run(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                          const std::string& what);

  BootcOptions options_;
};

}  // namespace imageswitch
