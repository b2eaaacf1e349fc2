// Test fixture for the host backends: temp dirs, child processes, a private dbus-daemon acting
// as the system bus (DBUS_SYSTEM_BUS_ADDRESS), and the Python fakes of rpm-ostreed and logind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace imageswitch::testing {

/// Directory of the fakes (tests/fakes), compiled in by meson.
std::string fakes_dir();

/// A child process started with the current environment; SIGTERM, then SIGKILL, on stop().
class Child {
 public:
  Child() = default;
  /// Starts `argv` (argv[0] absolute) with stdout redirected to `stdout_path` when not empty.
  explicit Child(const std::vector<std::string>& argv, const std::string& stdout_path = "");
  ~Child() { stop(); }
  Child(Child&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  /// True while the child has not exited.
  bool running();
  /// Stops and reaps the child (bounded: SIGKILL after 2 s).
  void stop();
  /// Waits up to `timeout` for the child to exit on its own; returns its wait status or -1.
  int wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

/// A private dbus-daemon; its address is exported as DBUS_SYSTEM_BUS_ADDRESS while it lives.
class PrivateBus {
 public:
  explicit PrivateBus(const TempDir& dir);
  ~PrivateBus();
  /// The bus address.
  const std::string& address() const { return address_; }

 private:
  Child daemon_;
  std::string address_;
};

/// Waits (bounded by `timeout`) until `name` has an owner on the system bus.
bool wait_for_name(const std::string& name,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// Writes `text` to `path` (test helper; aborts the test on failure via an exception).
void write_text(const std::string& path, const std::string& text);
/// Reads all of `path`.
std::string read_text(const std::string& path);

/// A pinned test image reference with a digest made of `c` repeated.
std::string pinned_image(char c, const std::string& repo = "quay.io/openshift/rhcos");

/// The whole host fixture: private bus, fake rpm-ostreed (state + faults files), fake logind.
struct HostFixture {
  TempDir dir;
  PrivateBus bus{dir};
  std::string state = dir.file("rpmostreed-state.json");
  std::string faults = dir.file("rpmostreed-faults.json");
  std::string logind_state = dir.file("logind-state.json");
  std::string sysroot = dir.file("sysroot");  ///< deployments' files (ostree/deploy/…)
  std::string generation = "2025.7";          ///< fake daemon generation ("pre-2025.7")
  Child rpmostreed;
  Child logind;

  /// Writes a state with `booted_image` booted and nothing staged (files under `sysroot`).
  void init_state(const std::string& booted_image);
  /// Starts fake_rpmostreed.py and waits for its name; false on failure.
  bool start_rpmostreed();
  /// Starts fake_logind.py and waits for its name; false on failure.
  bool start_logind();
  /// Runs `fake_rpmostreed.py --reboot state` (the simulated reboot); true on exit status 0.
  bool simulate_reboot();
};

}  // namespace imageswitch::testing
