// In-memory fakes of the Services interfaces for the reconcile tests. They follow the contracts
// of host.h / trust.h / cluster.h (errors as values, idempotent calls) and count every call.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cluster.h"
#include "host_backend.h"
#include "image_trust.h"

namespace imageswitch::fakes {

inline Deployment deployment_for(const std::string& repo, const std::string& digest) {
  return Deployment{"d-" + digest.substr(7, 6), "csum-" + digest.substr(7, 6), repo + "@" + digest,
                    digest};
}

/// A desired-image source returning a settable string or error.
struct Source : DesiredSource {
  std::string value;
  std::optional<Error> error;
  Result<std::string> desired() override {
    if (error) return *error;
    return value;
  }
};

/// A host with one booted and at most one staged deployment; reboot() only records the request.
struct Host : HostBackend {
  std::string repo = "quay.io/ocp/os";
  HostStatus host;
  int stage_calls = 0, cleanup_calls = 0, reboot_calls = 0, status_calls = 0;
  std::optional<Error> stage_error, reboot_error, status_error;
  bool finalized = false;

  Result<HostStatus> status() override {
    ++status_calls;
    if (status_error) return *status_error;
    return host;
  }
  Result<void> stage(const std::string& pinned) override {
    ++stage_calls;
    if (stage_error) return *stage_error;
    const auto at = pinned.find('@');
    if (at == std::string::npos) return make_error(ErrorKind::Usage, "not pinned: " + pinned);
    host.staged = deployment_for(pinned.substr(0, at), pinned.substr(at + 1));
    finalized = false;
    return {};
  }
  Result<void> cleanup_staged() override {
    ++cleanup_calls;
    host.staged.reset();
    return {};
  }
  Result<void> reboot(const Deployment& staged) override {
    ++reboot_calls;
    if (reboot_error) return *reboot_error;
    if (!host.staged || host.staged->checksum != staged.checksum)
      return make_error(ErrorKind::Temporary, "no such staged deployment");
    finalized = true;
    return {};
  }
  /// The machine restarts: a finalized staged deployment becomes booted (or rolls back).
  void restart(bool roll_back = false) {
    if (finalized && host.staged && !roll_back) host.booted = host.staged;
    host.staged.reset();
    finalized = false;
  }
};

/// Image trust over a table of references → digests and a set of rejected digests.
struct Trust : ImageTrust {
  std::map<std::string, std::string> digests;  // reference → per-platform digest
  std::set<std::string> rejected;
  std::optional<Error> resolve_error;
  int resolve_calls = 0, verify_calls = 0;
  Result<ResolvedImage> resolve(const std::string& reference) override {
    ++resolve_calls;
    if (resolve_error) return *resolve_error;
    auto it = digests.find(reference);
    if (it == digests.end()) return make_error(ErrorKind::Temporary, "manifest unknown");
    return ResolvedImage{reference, "quay.io/ocp/os", it->second};
  }
  Result<std::string> verify(const ResolvedImage& image) override {
    ++verify_calls;
    if (rejected.count(image.digest))
      return make_error(ErrorKind::Degraded, "no valid signature for " + image.digest);
    return std::string("key /etc/pki/test.pub");
  }
};

/// A node in a cluster: unschedulable flag, drain outcome, reports.
struct Cluster : imageswitch::Cluster {
  bool unschedulable = false;
  bool cordoned_by_us = false;  ///< the mark kept on the Node
  int drain_calls = 0, uncordon_calls = 0;
  std::optional<Error> drain_error, report_error;
  std::vector<Report> reports;
  Result<bool> cordoned() override { return unschedulable && !cordoned_by_us; }
  Result<DrainResult> drain() override {
    ++drain_calls;
    if (!unschedulable) cordoned_by_us = true;
    unschedulable = true;
    if (drain_error) return *drain_error;
    return DrainResult{};
  }
  Result<void> uncordon() override {
    ++uncordon_calls;
    if (cordoned_by_us) unschedulable = false;
    cordoned_by_us = false;
    return {};
  }
  Result<void> report(const Report& r) override {
    if (report_error) return *report_error;
    reports.push_back(r);
    return {};
  }
  std::string last_state() const { return reports.empty() ? "" : reports.back().state; }
};

/// A gate with a fixed number of free slots.
struct Gate : imageswitch::Gate {
  int free = 1;
  bool held = false;
  int acquire_calls = 0, release_calls = 0;
  Result<bool> acquire() override {
    ++acquire_calls;
    if (held) return true;
    if (free == 0) return false;
    --free;
    held = true;
    return true;
  }
  Result<void> release() override {
    ++release_calls;
    if (held) ++free;
    held = false;
    return {};
  }
};

}  // namespace imageswitch::fakes
