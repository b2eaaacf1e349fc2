// Servers for the HTTP client's tests, all on 127.0.0.1: tests/fakes/fake_registry.py
// (plain and TLS, with the PKI of tests/fakes/make_test_pki.sh), a port that accepts
// connections and never answers, and a real tinyproxy with its own configuration file.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.h"
#include "test_files.h"

extern char** environ;

namespace netfix {

using imageswitch::testing::slurp;
using imageswitch::testing::source_root;

/// A child process, stopped (SIGTERM) and reaped when destroyed.
class Child {
 public:
  explicit Child(std::vector<std::string> argv) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], nullptr, nullptr, args.data(), environ) != 0)
      throw std::runtime_error("cannot start " + argv[0]);
  }
  ~Child() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

 private:
  pid_t pid_ = -1;
};

/// Waits (bounded) for `path` to appear; its content.
inline std::string wait_for_file(const std::string& path) {
  for (int i = 0; i < 200 && !std::filesystem::exists(path); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (!std::filesystem::exists(path)) throw std::runtime_error("no " + path);
  return slurp(path);
}

/// A free TCP port on 127.0.0.1 (bound and released).
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

/// A scratch directory with the test PKI (ca.pem, server.pem/.key, node-n1.pem/.key).
struct Workdir : imageswitch::testing::TempDir {
  Workdir() : TempDir("net") {
    const std::string cmd =
        "sh '" + source_root() + "/tests/fakes/make_test_pki.sh' '" + file("pki") + "' n1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("make_test_pki.sh failed");
  }
  std::string pki(const std::string& name) const { return file("pki/" + name); }
};

inline Workdir& workdir() {
  static Workdir w;
  return w;
}

/// One tests/fakes/fake_registry.py (standalone: its own store and canned faults), plain HTTP
/// or TLS.
class FakeRegistry {
 public:
  explicit FakeRegistry(bool tls) {
    static int n = 0;
    const std::string portfile = workdir().file("port" + std::to_string(++n));
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     source_root() + "/tests/fakes/fake_registry.py", portfile};
    if (tls)
      argv.insert(argv.end(), {"--tls", workdir().pki("server.pem"), workdir().pki("server.key"),
                               workdir().pki("ca.pem")});
    child_ = std::make_unique<Child>(argv);
    port_ = std::stoi(wait_for_file(portfile));
    scheme_ = tls ? "https" : "http";
  }
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& path) const { return scheme_ + "://" + host() + path; }

 private:
  std::unique_ptr<Child> child_;
  int port_ = 0;
  std::string scheme_;
};

/// A port that accepts connections (the kernel completes them) and never answers.
class SilentServer {
 public:
  SilentServer() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  int port() const { return port_; }
  /// Connections made so far (accepted now, without blocking, and kept silent).
  int connections() {
    for (;;) {
      const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) break;
      accepted_.push_back(c);
    }
    return static_cast<int>(accepted_.size());
  }

 private:
  int fd_;
  int port_ = 0;
  std::vector<int> accepted_;
};

/// Debian's tinyproxy on 127.0.0.1 with its own configuration; `user`/`password` turn on Basic
/// authentication. Empty path() when tinyproxy is not installed.
class Tinyproxy {
 public:
  explicit Tinyproxy(const std::string& user = "", const std::string& password = "") {
    if (access("/usr/bin/tinyproxy", X_OK) != 0) return;
    port_ = free_port();
    static int n = 0;
    const std::string base = workdir().file("tinyproxy" + std::to_string(++n));
    log_ = base + ".log";
    std::ofstream conf(base + ".conf");
    conf << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\n"
         << "Allow 127.0.0.1\nLogLevel Info\nLogFile \"" << log_ << "\"\n"
         << "PidFile \"" << base << ".pid\"\n";
    if (!user.empty()) conf << "BasicAuth " << user << " " << password << "\n";
    conf.close();
    child_ = std::make_unique<Child>(
        std::vector<std::string>{"/usr/bin/tinyproxy", "-d", "-c", base + ".conf"});
    for (int i = 0; i < 100 && slurp(log_).find("Starting main loop") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  bool available() const { return child_ != nullptr; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return slurp(log_); }

 private:
  std::unique_ptr<Child> child_;
  int port_ = 0;
  std::string log_;
};

/// Sets (or with nullptr unsets) an environment variable for one scope.
class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~EnvVar() { old_.empty() ? unsetenv(name_.c_str()) : setenv(name_.c_str(), old_.c_str(), 1); }
  EnvVar(const EnvVar&) = delete;
  EnvVar& operator=(const EnvVar&) = delete;

 private:
  std::string name_;
  std::string old_;
};

}  // namespace netfix
