// Integration-test fixture: starts tests/fixtures/registry_fixture.py (real docker-registry
// instances with pushed and signed images) and tests/fakes/fake_registry.py once per process in
// one TempDir, writes the containers configuration files for a case, and stops everything at
// exit.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "config.h"
#include "temp_dir.h"
#include "test_files.h"

extern char** environ;

namespace fixture {

using imageswitch::testing::slurp;
using imageswitch::testing::source_root;

inline void spit(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

/// The cosign binary (fetched into tests/.tools by fetch-trixie-tools.sh), or "".
inline std::string cosign_path() {
  std::string p = source_root() + "/tests/.tools/usr/bin/cosign";
  if (access(p.c_str(), X_OK) != 0) {
    std::string cmd = "bash '" + source_root() + "/tests/tools/fetch-trixie-tools.sh' >&2";
    if (std::system(cmd.c_str()) != 0) return "";
  }
  return access(p.c_str(), X_OK) == 0 ? p : "";
}

/// Registries and images shared by every test case of the process.
struct Registries {
  imageswitch::testing::TempDir workdir{"trust"};
  nlohmann::json info;
  pid_t fake_pid = -1;
  int fake_port = 0;

  Registries() {
    std::string cmd = "/usr/bin/python3 -W ignore '" + source_root() +
                      "/tests/fixtures/registry_fixture.py' up --workdir '" + workdir.file("reg") +
                      "' --cosign '" + cosign_path() + "' >'" + workdir.file("up.log") + "' 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      std::string log = slurp(workdir.file("up.log"));
      cleanup();
      throw std::runtime_error("registry fixture failed: " + log);
    }
    info = nlohmann::json::parse(slurp(workdir.file("reg/fixture.json")));
    std::string script = source_root() + "/tests/fakes/fake_registry.py";
    std::string portfile = workdir.file("fake.port");
    const char* argv[] = {"/usr/bin/python3", script.c_str(), portfile.c_str(), nullptr};
    posix_spawn(&fake_pid, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ);
    for (int i = 0; i < 100 && !std::filesystem::exists(portfile); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    fake_port = std::stoi(slurp(portfile));
  }
  ~Registries() { cleanup(); }
  /// Stops the fake and the registries; the TempDir goes after.
  void cleanup() {
    if (fake_pid > 0) {
      kill(fake_pid, SIGTERM);
      waitpid(fake_pid, nullptr, 0);
    }
    std::string cmd = "/usr/bin/python3 '" + source_root() +
                      "/tests/fixtures/registry_fixture.py' down --workdir '" +
                      workdir.file("reg") + "'";
    (void)std::system(cmd.c_str());
  }
  std::string host(const std::string& name) const { return info["registries"][name]["host"]; }
  std::string image(const std::string& name, const std::string& field = "ref") const {
    return info["images"][name][field];
  }
  std::string key(const std::string& name) const { return info["keys"][name]; }
  std::string fake_host() const { return "127.0.0.1:" + std::to_string(fake_port); }
};

inline Registries& registries() {
  static Registries r;
  return r;
}

/// One case's configuration directory and Settings.
struct Case {
  std::string dir;
  imageswitch::Settings settings;
  explicit Case(const std::string& policy, const std::string& extra_conf = "",
                bool attachments = true) {
    auto& r = registries();
    static int n = 0;
    dir = r.workdir.file("case" + std::to_string(++n));
    settings.policy_file = dir + "/policy.json";
    settings.registries_conf = dir + "/registries.conf";
    settings.registries_d = dir + "/registries.d";
    settings.auth_file = dir + "/auth.json";
    settings.certs_d = dir + "/certs.d";
    settings.architecture = "x86_64";
    spit(settings.policy_file, policy);
    spit(settings.registries_conf, extra_conf + "\n[[registry]]\nlocation = \"" + r.host("plain") +
                                       "\"\ninsecure = true\n[[registry]]\nlocation = \"" +
                                       r.host("auth") +
                                       "\"\ninsecure = true\n[[registry]]\n"
                                       "location = \"" +
                                       r.fake_host() + "\"\ninsecure = true\n");
    spit(settings.registries_d + "/default.yaml",
         std::string("default-docker:\n  use-sigstore-attachments: ") +
             (attachments ? "true" : "false") + "\n");
    std::filesystem::create_directories(settings.certs_d);
  }
};

/// A policy trusting `key` (keyPath) for every image, with an optional signedIdentity JSON.
inline std::string key_policy(const std::string& key, const std::string& identity = "") {
  return R"({"default":[{"type":"sigstoreSigned","keyPath":")" + key + "\"" +
         (identity.empty() ? "" : R"(,"signedIdentity":)" + identity) + "}]}";
}

}  // namespace fixture
