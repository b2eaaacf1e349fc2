#include "bootc.h"

#include <nlohmann/json.hpp>

#include "json_util.h"
#include "logind.h"
#include "subprocess.h"
#include "text.h"

namespace imageswitch {

namespace {

using nlohmann::json;

/// The object at `key` of `j`, or nullptr when absent or null.
const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

/// The string at `key` of `j`, or "".
std::string string_at(const json& j, const char* key) {
  return json_string(j, key);
}

/// One BootEntry → Deployment (image.image.image, image.imageDigest, ostree.checksum).
Deployment parse_entry(const json& entry) {
  Deployment d;
  if (const json* image = member(entry, "image")) {
    d.digest = string_at(*image, "imageDigest");
    if (const json* ref = member(*image, "image")) d.image = string_at(*ref, "image");
  }
  if (const json* ostree = member(entry, "ostree")) {
    d.checksum = string_at(*ostree, "checksum");
    if (const json* serial = member(*ostree, "deploySerial"); serial && serial->is_number()) {
      d.id = string_at(*ostree, "stateroot") + "-" + d.checksum + "." +
             std::to_string(serial->get<long long>());
    }
  }
  return d;
}

}  // namespace

Result<HostStatus> parse_bootc_status(std::string_view text) {
  const auto parsed =
      parse_json_strict(text, "Failed to parse 'bootc status --format=json' output");
  if (!parsed) return make_error(ErrorKind::Temporary, parsed.error().message);
  const json& doc = *parsed;
  if (!doc.is_object()) {
    return make_error(ErrorKind::Temporary,
                      "Failed to parse 'bootc status --format=json' output: not a JSON object");
  }
  if (string_at(doc, "kind") != "BootcHost") {
    return make_error(ErrorKind::Temporary,
                      "Failed to parse 'bootc status --format=json' output: "
                      "kind is '" +
                          string_at(doc, "kind") + "', expected 'BootcHost'");
  }
  HostStatus status;
  const json* st = member(doc, "status");
  const json* booted = st != nullptr ? member(*st, "booted") : nullptr;
  if (booted == nullptr || !booted->is_object()) {
    return make_error(ErrorKind::Degraded,
                      "Failed to read the booted deployment from bootc: the host is not "
                      "bootc-compatible (status.booted is null); use backend 'rpm-ostree'");
  }
  status.booted = parse_entry(*booted);
  if (const json* staged = member(*st, "staged"); staged != nullptr && staged->is_object()) {
    status.staged = parse_entry(*staged);
  }
  return status;
}

Result<std::string> BootcBackend::run(const std::vector<std::string>& args,
                                      std::chrono::milliseconds timeout, const std::string& what) {
  CommandSpec spec;
  spec.argv.push_back(options_.executable);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {"PATH=/usr/sbin:/usr/bin", "LANG=C.UTF-8"};
  spec.timeout = timeout;
  auto result = run_command(spec);
  if (!result) return wrap("Failed to " + what, result.error());
  std::string why;
  if (result->timed_out) {
    why = "bootc did not finish within " + seconds_text(timeout) + " and was killed";
  } else if (result->term_signal != 0) {
    why = "bootc was killed by signal " + std::to_string(result->term_signal);
  } else if (result->exit_status != 0) {
    why = "bootc exited with status " + std::to_string(result->exit_status);
  } else {
    return std::move(result->out);
  }
  const std::string tail = tail_line(result->err);
  if (!tail.empty()) why += ": " + tail;
  return make_error(ErrorKind::Temporary, "Failed to " + what + ": " + why);
}

Result<HostStatus> BootcBackend::status() {
  auto out = run({"status", "--format=json"}, options_.status_timeout, "read the bootc status");
  if (!out) return out.error();
  return parse_bootc_status(*out);
}

Result<void> BootcBackend::stage(const std::string& pinned) {
  if (pinned.find("@sha256:") == std::string::npos) {
    return make_error(ErrorKind::Degraded,
                      "Failed to stage '" + pinned + "': the reference is not pinned by digest");
  }
  // No --apply: bootc stages the deployment; we reboot later through logind after the drain.
  auto out = run({"switch", pinned}, options_.switch_timeout, "stage '" + pinned + "'");
  if (!out) return out.error();
  return {};
}

Result<void> BootcBackend::cleanup_staged() {
  // bootc has no command that discards a staged deployment: `bootc rollback` would queue the
  // rollback entry instead, and `bootc switch` replaces the staged deployment anyway. The next
  // stage() therefore overwrites it; until then an unrelated reboot would boot it. Nothing to do.
  return {};
}

Result<void> BootcBackend::reboot(const Deployment& staged) {
  // bootc has no finalize-by-checksum call: check that the staged deployment is still the one
  // the caller means before the reboot makes it the booted one.
  auto now = status();
  if (!now) return wrap("Failed to reboot into '" + staged.digest + "'", now.error());
  if (!now->staged || now->staged->digest != staged.digest) {
    return make_error(ErrorKind::Degraded,
                      "Failed to reboot into '" + staged.digest + "': bootc has '" +
                          (now->staged ? now->staged->digest : std::string("nothing")) +
                          "' staged; not rebooting");
  }
  auto result = logind_reboot();
  if (!result) {
    return wrap("Failed to reboot into staged deployment '" + staged.digest + "'", result.error());
  }
  return {};
}

}  // namespace imageswitch
