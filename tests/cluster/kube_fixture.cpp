#include "kube_fixture.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "http_client.h"

#ifndef FAKES_DIR
#error "FAKES_DIR must point at tests/fakes"
#endif

namespace imageswitch::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

/// Runs the PKI script once per process into a shared directory.
const std::string& pki_dir() {
  static TempDir dir;
  static const bool made = [] {
    const std::string command =
        std::string("sh ") + FAKES_DIR + "/make_test_pki.sh '" + dir.path() + "' n1 n2";
    return std::system(command.c_str()) == 0;
  }();
  REQUIRE(made);
  return dir.path();
}

}  // namespace

void write_text(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  REQUIRE(out.good());
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string base64(const std::string& data) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                       (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(table[(v >> s) & 63]);
  }
  if (i + 1 == data.size()) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += std::string{table[(v >> 18) & 63], table[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == data.size()) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                       (static_cast<unsigned char>(data[i + 1]) << 8);
    out += std::string{table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
  }
  return out;
}

FakeApiServer::FakeApiServer(const nlohmann::json& state, const nlohmann::json& tokens) {
  const std::string& pki = pki_dir();
  const std::string state_file = dir() + "/state.json";
  const std::string tokens_file = dir() + "/tokens.json";
  const std::string port_file = dir() + "/port";
  write_text(state_file, state.dump());
  write_text(tokens_file, tokens.dump());
  write_text(dir() + "/requests.log", "");
  process_ = std::make_unique<FakeProcess>(
      "kube_apiserver",
      std::vector<std::string>{"--cert", pki + "/server.pem", "--key", pki + "/server.key",
                               "--client-ca", pki + "/ca.pem", "--state", state_file, "--log",
                               dir() + "/requests.log", "--port-file", port_file, "--tokens",
                               tokens_file},
      port_file);
}

FakeApiServer::~FakeApiServer() = default;

FakeProcess::FakeProcess(const std::string& script, const std::vector<std::string>& args,
                         const std::string& port_file) {
  std::vector<std::string> argv_strings = {kPython, std::string(FAKES_DIR) + "/" + script};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (const auto& arg : argv_strings) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(kPython, argv.data());
    _exit(127);
  }
  for (int i = 0; i < 200 && port_ == 0; ++i) {  // bounded: 10 s
    const std::string text = read_text(port_file);
    if (!text.empty())
      port_ = std::stoi(text);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port_ == 0) {  // the destructor does not run when the constructor throws
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  REQUIRE_MESSAGE(port_ != 0, "the fake server " << script << " did not start");
}

FakeProcess::~FakeProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::string FakeApiServer::url() const {
  return "https://127.0.0.1:" + std::to_string(process_->port());
}

std::string FakeApiServer::kubeconfig(const std::string& node, KubeconfigShape shape,
                                      const std::string& token) const {
  const std::string& pki = pki_dir();
  std::string cluster = "    server: " + url() + "/\n";
  std::string user;
  switch (shape) {
    case KubeconfigShape::Files:
      cluster += "    certificate-authority: " + pki + "/ca.pem\n";
      user = "    client-certificate: " + pki + "/node-" + node + ".pem\n    client-key: " + pki +
             "/node-" + node + ".key\n";
      break;
    case KubeconfigShape::Data:
      cluster += "    certificate-authority-data: " + base64(read_text(pki + "/ca.pem")) + "\n";
      user = "    client-certificate-data: " + base64(read_text(pki + "/node-" + node + ".pem")) +
             "\n    client-key-data: " + base64(read_text(pki + "/node-" + node + ".key")) + "\n";
      break;
    case KubeconfigShape::Combined: {
      const std::string combined = dir() + "/kubelet-client-current-" + node + ".pem";
      write_text(combined, read_text(pki + "/node-" + node + ".key") +
                               read_text(pki + "/node-" + node + ".pem"));
      cluster += "    certificate-authority: " + pki + "/ca.pem\n";
      user = "    client-certificate: " + combined + "\n    client-key: " + combined + "\n";
      break;
    }
    case KubeconfigShape::Token:
      cluster += "    certificate-authority: " + pki + "/ca.pem\n";
      user = "    token: " + token + "\n";
      break;
  }
  const std::string text = "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n" +
                           cluster +
                           "contexts:\n- name: kubelet\n  context:\n    cluster: local\n"
                           "    user: kubelet\ncurrent-context: kubelet\nusers:\n- name: kubelet\n"
                           "  user:\n" +
                           user;
  const std::string path = dir() + "/kubeconfig-" + node + "-" +
                           std::to_string(static_cast<int>(shape)) + (token.empty() ? "" : "-t");
  write_text(path, text);
  return path;
}

std::shared_ptr<KubeClient> FakeApiServer::client(const std::string& node, long timeout_ms) const {
  KubeOptions options;
  options.timeout_ms = timeout_ms;
  return std::make_shared<KubeClient>(kubeconfig(node, KubeconfigShape::Files), options);
}

void FakeApiServer::control(const std::string& what, const nlohmann::json& body) const {
  HttpRequest request;
  request.method = "POST";
  request.url = url() + "/_fake/" + what;
  request.body = body.dump();
  request.timeout_ms = 5000;
  request.max_body = 64 << 20;
  request.tls.ca_file = pki_dir() + "/ca.pem";
  auto response = http_send(request);
  REQUIRE_MESSAGE(response.ok(), (response.ok() ? "" : response.error().message));
  REQUIRE(response->status == 200);
}

nlohmann::json FakeApiServer::state() const {
  HttpRequest request;
  request.url = url() + "/_fake/state";
  request.timeout_ms = 5000;
  request.max_body = 64 << 20;
  request.tls.ca_file = pki_dir() + "/ca.pem";
  auto response = http_send(request);
  REQUIRE(response.ok());
  return nlohmann::json::parse(response->body);
}

nlohmann::json FakeApiServer::node(const std::string& name) const {
  const nlohmann::json all = state();
  for (const auto& node : all["nodes"])
    if (node["metadata"]["name"] == name) return node;
  return nullptr;
}

std::vector<nlohmann::json> FakeApiServer::requests() const {
  std::vector<nlohmann::json> out;
  std::istringstream lines(read_text(dir() + "/requests.log"));
  std::string line;
  while (std::getline(lines, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::vector<nlohmann::json> FakeApiServer::refused() const {
  std::vector<nlohmann::json> out;
  for (auto& request : requests())
    if (request["status"] == 403) out.push_back(request);
  return out;
}

nlohmann::json make_node(const std::string& name, const nlohmann::json& annotations,
                         const nlohmann::json& labels) {
  nlohmann::json node = {
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata", {{"name", name}}},
      {"spec", nlohmann::json::object()},
      {"status", {{"addresses", {{{"type", "InternalIP"}, {"address", "10.0.0.1"}}}}}}};
  if (!annotations.is_null()) node["metadata"]["annotations"] = annotations;
  if (!labels.is_null()) node["metadata"]["labels"] = labels;
  return node;
}

nlohmann::json make_pod(const std::string& ns, const std::string& name, const std::string& node,
                        const nlohmann::json& extra) {
  nlohmann::json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"namespace", ns}, {"name", name}, {"labels", {{"app", name}}}}},
      {"spec", {{"nodeName", node}}}};
  if (extra.is_object()) pod.merge_patch(extra);
  return pod;
}

}  // namespace imageswitch::testing
