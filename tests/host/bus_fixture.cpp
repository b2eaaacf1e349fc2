#include "bus_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace imageswitch::testing {

namespace {

using Clock = std::chrono::steady_clock;

void sleep_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

std::string fakes_dir() {
  return IMAGESWITCH_FAKES_DIR;
}

Child::Child(const std::vector<std::string>& argv, const std::string& stdout_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
  }
  const int r = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (r != 0) {
    pid_ = -1;
    throw std::runtime_error("posix_spawn " + argv[0] + " failed");
  }
}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = other.pid_;
    other.pid_ = -1;
  }
  return *this;
}

bool Child::running() {
  if (pid_ < 0) return false;
  int st = 0;
  if (waitpid(pid_, &st, WNOHANG) == pid_) {
    status_ = st;
    pid_ = -1;
    return false;
  }
  return true;
}

int Child::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return -1;
    sleep_ms(10);
  }
  return status_;
}

void Child::stop() {
  if (pid_ < 0) return;
  kill(pid_, SIGTERM);
  if (wait_exit(std::chrono::seconds(2)) == -1 && pid_ >= 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

PrivateBus::PrivateBus(const TempDir& dir) {
  const std::string config = dir.file("bus.conf");
  write_text(config,
             "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
             " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
             "<busconfig>\n"
             "  <listen>unix:path=" +
                 dir.file("system_bus_socket") +
                 "</listen>\n"
                 "  <auth>EXTERNAL</auth>\n"
                 "  <policy context=\"default\">\n"
                 "    <allow user=\"*\"/>\n"
                 "    <allow own=\"*\"/>\n"
                 "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                 "    <allow eavesdrop=\"true\"/>\n"
                 "  </policy>\n"
                 "</busconfig>\n");
  const std::string addr_file = dir.file("bus.address");
  daemon_ =
      Child({"/usr/bin/dbus-daemon", "--config-file=" + config, "--nofork", "--print-address=1"},
            addr_file);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    std::ifstream in(addr_file);
    std::string line;
    if (std::getline(in, line) && !line.empty() && in.good()) {
      address_ = line;
      break;
    }
    if (!daemon_.running()) break;
    sleep_ms(10);
  }
  if (address_.empty()) throw std::runtime_error("dbus-daemon did not print its address");
  setenv("DBUS_SYSTEM_BUS_ADDRESS", address_.c_str(), 1);
}

PrivateBus::~PrivateBus() {
  daemon_.stop();
  unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

bool wait_for_name(const std::string& name, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    sd_bus* bus = nullptr;
    if (sd_bus_open_system(&bus) >= 0) {
      sd_bus_error error = SD_BUS_ERROR_NULL;
      sd_bus_message* reply = nullptr;
      int has = 0;
      if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus", "NameHasOwner", &error, &reply, "s",
                             name.c_str()) >= 0) {
        sd_bus_message_read(reply, "b", &has);
      }
      sd_bus_message_unref(reply);
      sd_bus_error_free(&error);
      sd_bus_flush_close_unref(bus);
      if (has) return true;
    }
    sleep_ms(20);
  }
  return false;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string pinned_image(char c, const std::string& repo) {
  return repo + "@sha256:" + std::string(64, c);
}

void HostFixture::init_state(const std::string& booted_image) {
  Child init({"/usr/bin/python3", fakes_dir() + "/fake_rpmostreed.py", "--init", state, "--image",
              booted_image, "--sysroot", sysroot});
  if (init.wait_exit(std::chrono::seconds(20)) != 0) throw std::runtime_error("--init failed");
}

bool HostFixture::start_rpmostreed() {
  rpmostreed = Child({"/usr/bin/python3", fakes_dir() + "/fake_rpmostreed.py", "--state", state,
                      "--faults", faults, "--generation", generation});
  return wait_for_name("org.projectatomic.rpmostree1");
}

bool HostFixture::start_logind() {
  logind = Child({"/usr/bin/python3", fakes_dir() + "/fake_logind.py", "--state", logind_state});
  return wait_for_name("org.freedesktop.login1");
}

bool HostFixture::simulate_reboot() {
  Child reboot({"/usr/bin/python3", fakes_dir() + "/fake_rpmostreed.py", "--reboot", state});
  return reboot.wait_exit(std::chrono::seconds(20)) == 0;
}

}  // namespace imageswitch::testing
