// A simulated node for reconcile tests: in-memory fakes, settings in a temporary directory, a
// boot id that changes on restart(), and the journal entries of each pass.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "fakes/memory_fakes.h"
#include "journal.h"
#include "reconcile.h"
#include "state.h"
#include "temp_dir.h"

namespace imageswitch::testing {

namespace fs = std::filesystem;

inline const std::string A = "sha256:" + std::string(64, 'a');
inline const std::string B = "sha256:" + std::string(64, 'b');
inline const std::string C = "sha256:" + std::string(64, 'c');
inline const std::string kTag = "quay.io/ocp/os:4.18";
inline const std::string kTagC = "quay.io/ocp/os:4.19";

/// A node: fakes, settings in a temporary directory, a boot id that changes on restart().
struct Node {
  fakes::Source source;
  fakes::Host host;
  fakes::Trust trust;
  fakes::Cluster cluster;
  fakes::Gate gate;
  Settings settings;
  testing::TempDir tmp{"reconcile"};
  std::string dir = tmp.path();
  int boot = 1;
  bool with_cluster = true;
  bool with_gate = false;
  std::int64_t clock = 1000;

  Node() {
    set_journal_sink([this](const JournalEntry& e) { entries.push_back(e); });
    settings.state_dir = dir + "/state";
    settings.runtime_dir = dir + "/run";
    host.host.booted = fakes::deployment_for("quay.io/ocp/os", A);
    trust.digests[kTag] = B;
    trust.digests[kTagC] = C;
    trust.digests["quay.io/ocp/os@" + B] = B;
    trust.digests["quay.io/ocp/os@" + A] = A;
  }
  ~Node() { set_journal_sink({}); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  PassOutcome pass() {
    Services s{source,
               host,
               trust,
               with_cluster ? &cluster : nullptr,
               with_gate ? &gate : nullptr,
               [this] { return "boot-" + std::to_string(boot); },
               [this] { return ++clock; }};
    return reconcile(settings, s);
  }
  void restart(bool roll_back = false) {
    host.restart(roll_back);
    ++boot;
  }
  State state() const { return load_state(settings.state_dir).state; }
  /// Journal entries of the passes since the last call (and clears them).
  std::vector<JournalEntry> take_entries() { return std::exchange(entries, {}); }

  std::vector<JournalEntry> entries;
};

}  // namespace imageswitch::testing
