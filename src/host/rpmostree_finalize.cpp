// RpmOstreeBackend::reboot: OS.FinalizeDeployment on both daemon generations.
//
// Upstream rpm-ostree src/daemon/rpmostreed-transaction-types.cxx
// (finalize_deployment_transaction_execute): the transaction compares the option "checksum" with
// the staged deployment's base commit, or, since v2025.7 (commit e47214b7 "daemon: Support
// deployment finalization by OCI digest"), for a deployment that follows a container image with
// the image digest; a mismatch fails with "Expected staged base checksum X, but found Y". It then
// refuses an unlocked deployment unless "allow-unlocked", unlocks it and runs `systemctl reboot`.
// We send the digest when the staged deployment has one; when the daemon answers that it found
// exactly our staged deployment's commit checksum (an older daemon) we retry once with it. We never
// send "allow-missing-checksum": the check keeps us from finalizing what someone else staged.
#include <array>
#include <string_view>

#include "rpmostree.h"

namespace imageswitch {

namespace {

constexpr std::string_view kMismatch = "Expected staged base checksum ";
constexpr std::string_view kFound = ", but found ";
constexpr std::string_view kFailedPrefix = "rpm-ostreed transaction failed: ";

}  // namespace

std::string finalize_found_checksum(const std::string& message) {
  const auto at = message.find(kMismatch);
  if (at == std::string::npos) return {};
  const auto found = message.find(kFound, at + kMismatch.size());
  if (found == std::string::npos) return {};
  const auto start = found + kFound.size();
  const auto end = message.find_first_of(" ;\n\t", start);
  return message.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool finalize_refused(const std::string& message) {
  // The daemon's own refusals (finalize_deployment_transaction_execute): they need a person, not
  // a retry. Inhibitor locks, a busy daemon, a crash or a staged deployment that vanished ("No
  // pending staged deployment found": the next pass stages again) may pass by themselves.
  static constexpr std::array<std::string_view, 4> kRefusals = {
      kMismatch, "Staged deployment is not for osname", "Missing expected checksum",
      "Staged deployment already unlocked"};
  for (auto refusal : kRefusals) {
    if (message.find(refusal) != std::string::npos) return true;
  }
  return false;
}

Result<void> RpmOstreeBackend::finalize(const std::string& expected) {
  return transact("FinalizeDeployment", [&expected](sd_bus_message* m) {
    // allow-unlocked: a retry after a finalize whose reboot never came finds it unlocked already.
    return append_dict(m, {{"checksum", expected},
                           {"allow-unlocked", true},
                           {"initiating-command-line", std::string("imageswitch run")}});
  });
}

Result<void> RpmOstreeBackend::reboot(const Deployment& staged) {
  if (staged.checksum.empty()) {
    return make_error(ErrorKind::Degraded,
                      "Failed to finalize the staged deployment: its checksum is unknown");
  }
  const std::string first = !staged.digest.empty() ? staged.digest : staged.checksum;
  auto result = finalize(first);
  if (!result && first != staged.checksum &&
      finalize_found_checksum(result.error().message) == staged.checksum) {
    result = finalize(staged.checksum);  // a daemon older than 2025.7 wants the base commit
  }
  if (result) return {};
  const std::string what = "Failed to finalize the staged deployment " +
                           (staged.image.empty() ? staged.checksum : staged.image) + " and reboot";
  if (finalize_refused(result.error().message)) {
    std::string daemon = result.error().message;
    if (const auto colon = daemon.find(kFailedPrefix); colon != std::string::npos)
      daemon = daemon.substr(colon + kFailedPrefix.size());
    return make_error(ErrorKind::Degraded,
                      what + ": rpm-ostreed refused: " + daemon +
                          "; check 'rpm-ostree status' for a deployment staged by someone else");
  }
  return wrap(what, result.error());
}

}  // namespace imageswitch
