// Shared helpers of the rpm-ostree integration tests (rpmostree_test.cpp,
// rpmostree_reboot_test.cpp).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bus_fixture.h"
#include "rpmostree.h"

namespace imageswitch::testing {

/// The fake's generations: FinalizeDeployment wants the base commit, or the image digest.
inline const std::vector<std::string> kGenerations = {"pre-2025.7", "2025.7"};

/// The fake's state file.
inline nlohmann::json state_of(const HostFixture& f) {
  return nlohmann::json::parse(read_text(f.state));
}

/// Rewrites the fake's state file through `edit` (before the fake starts, or between calls).
template <typename Edit>
void edit_state(const HostFixture& f, Edit edit) {
  nlohmann::json s = state_of(f);
  edit(s);
  write_text(f.state, s.dump(1));
}

/// Options with short timeouts, the fixture's sysroot and progress collected into `lines`.
inline RpmOstreeOptions quick(const HostFixture* f, std::vector<std::string>& lines,
                              std::chrono::milliseconds txn = std::chrono::seconds(20)) {
  RpmOstreeOptions o;
  o.transaction_timeout = txn;
  o.call_timeout = std::chrono::seconds(10);
  o.on_progress = [&lines](const std::string& line) { lines.push_back(line); };
  if (f != nullptr) o.sysroot = f->sysroot;
  o.architecture = "amd64";
  return o;
}

/// True when `needle` occurs in `hay`.
inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

/// The methods the fake recorded, in order.
inline std::vector<std::string> methods_called(const HostFixture& f) {
  std::vector<std::string> out;
  const nlohmann::json s = state_of(f);
  for (const auto& call : s["calls"]) out.push_back(call["method"]);
  return out;
}

/// The "sha256:…" digest of pinned_image(c).
inline std::string digest_of(char c) {
  return "sha256:" + std::string(64, c);
}

}  // namespace imageswitch::testing
