// Test fixture: a throw-away PKI, the fake API server (tests/fakes/kube_apiserver/) on a free
// port of 127.0.0.1, kubeconfig files in every supported shape, and helpers to read the server's
// state and request log. Everything lives in a temporary directory removed at the end.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "kube_client.h"

#include "temp_dir.h"

namespace imageswitch::testing {

/// Writes `content` to `path` (test helper; aborts the test on failure).
void write_text(const std::string& path, const std::string& content);
/// Reads `path` whole.
std::string read_text(const std::string& path);
/// Base64 of `data`.
std::string base64(const std::string& data);

/// A fake server run by /usr/bin/python3 from tests/fakes; stopped (SIGTERM) on destruction.
class FakeProcess {
 public:
  /// Runs `script` (a file in tests/fakes) with `args`; waits (bounded) until it writes its port
  /// to `port_file`.
  FakeProcess(const std::string& script, const std::vector<std::string>& args,
              const std::string& port_file);
  ~FakeProcess();
  FakeProcess(const FakeProcess&) = delete;
  FakeProcess& operator=(const FakeProcess&) = delete;
  /// The port it listens on (127.0.0.1).
  int port() const { return port_; }

 private:
  int pid_ = -1;
  int port_ = 0;
};

/// How a kubeconfig carries the credentials (Combined: one PEM file holding certificate and key
/// for both client-certificate and client-key, as /var/lib/kubelet/pki/kubelet-client-current.pem).
enum class KubeconfigShape { Files, Data, Token, Combined };

/// A running fake API server with PKI for nodes `n1` and `n2`.
class FakeApiServer {
 public:
  /// Starts the server with `state` (see the fake's docstring) and `tokens`.
  explicit FakeApiServer(const nlohmann::json& state,
                         const nlohmann::json& tokens = nlohmann::json::object());
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  /// "https://127.0.0.1:<port>".
  std::string url() const;
  /// Writes a kubeconfig for `node` (or, for Token, the given token) in `shape`; returns its path.
  std::string kubeconfig(const std::string& node, KubeconfigShape shape,
                         const std::string& token = "") const;
  /// A client for `node` with client-certificate files and a short timeout.
  std::shared_ptr<KubeClient> client(const std::string& node, long timeout_ms = 5000) const;
  /// POSTs `body` to the control endpoint `/_fake/<what>`.
  void control(const std::string& what, const nlohmann::json& body) const;
  /// The server's state (nodes, pods, pdbs, leases, events).
  nlohmann::json state() const;
  /// The node object `name` from state().
  nlohmann::json node(const std::string& name) const;
  /// Every logged API request: {"method","path","status","user"}.
  std::vector<nlohmann::json> requests() const;
  /// Logged requests answered 403.
  std::vector<nlohmann::json> refused() const;
  /// The PKI/work directory.
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  std::unique_ptr<FakeProcess> process_;
};

/// A Node object with `annotations` and `labels`.
nlohmann::json make_node(const std::string& name, const nlohmann::json& annotations = {},
                         const nlohmann::json& labels = {});
/// A Pod object bound to `node`; `extra` is merged at the top level.
nlohmann::json make_pod(const std::string& ns, const std::string& name, const std::string& node,
                        const nlohmann::json& extra = {});

}  // namespace imageswitch::testing
