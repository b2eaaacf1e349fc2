#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace imageswitch {

namespace {

constexpr std::size_t kStderrKeep = 64u << 10;

Error start_error(const std::string& program, int err) {
  return make_error(ErrorKind::Temporary, "Failed to run '" + program + "': " + std::strerror(err));
}

/// Creates a close-on-exec pipe.
bool make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return false;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return true;
}

/// In the child: wires the pipes, execs, and reports a failed exec through `status_fd`.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, int out_fd, int err_fd,
                             int status_fd) {
  setpgid(0, 0);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) dup2(null_fd, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  execve(argv[0], argv, envp);
  const int err = errno;
  ssize_t ignored = write(status_fd, &err, sizeof err);
  (void)ignored;
  _exit(127);
}

/// Kills the child's process group (and the child itself, should setpgid have lost a race).
void kill_child(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

namespace {

/// Reads the child's stdout and stderr until both close, the deadline passes or stdout exceeds
/// its limit; returns true when stdout overflowed.
bool collect_output(int out_fd, int err_fd, std::chrono::steady_clock::time_point deadline,
                    std::size_t stdout_limit, CommandResult& result) {
  std::vector<pollfd> fds = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      return false;
    }
    const int r = poll(fds.data(), fds.size(), static_cast<int>(left.count()) + 1);
    if (r < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[16384];
      const ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        fds[i].fd = -1;
        continue;
      }
      std::string& sink = i == 0 ? result.out : result.err;
      sink.append(buf, static_cast<std::size_t>(got));
      if (i == 1 && sink.size() > 2 * kStderrKeep) sink.erase(0, sink.size() - kStderrKeep);
      if (i == 0 && sink.size() > stdout_limit) return true;
    }
  }
  return false;
}

/// Reaps `pid`, killing it once the deadline passes; false (errno set) when waitpid fails.
bool reap_child(pid_t pid, std::chrono::steady_clock::time_point deadline, CommandResult& result) {
  int wstatus = 0;
  for (;;) {
    const pid_t w = waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) return false;
    if (std::chrono::steady_clock::now() >= deadline && !result.timed_out) {
      result.timed_out = true;
      kill_child(pid);
    }
    usleep(10 * 1000);
  }
  if (WIFEXITED(wstatus)) result.exit_status = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) result.term_signal = WTERMSIG(wstatus);
  return true;
}

/// The errno the child reported through the status pipe when exec failed, or 0.
int exec_failure(int status_fd) {
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(status_fd, &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof exec_errno) ? exec_errno : 0;
}

}  // namespace

Result<CommandResult> run_command(const CommandSpec& spec) {
  if (spec.argv.empty()) return make_error(ErrorKind::Usage, "Failed to run a command: no program");
  const std::string& program = spec.argv[0];
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  UniqueFd out_r, out_w, err_r, err_w, st_r, st_w;
  if (!make_pipe(out_r, out_w) || !make_pipe(err_r, err_w) || !make_pipe(st_r, st_w)) {
    return start_error(program, errno);
  }
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  const pid_t pid = fork();
  if (pid < 0) return start_error(program, errno);
  if (pid == 0) exec_child(argv.data(), envp.data(), out_w.get(), err_w.get(), st_w.get());
  out_w.reset();
  err_w.reset();
  st_w.reset();
  if (const int e = exec_failure(st_r.get()); e != 0) {
    waitpid(pid, nullptr, 0);
    return start_error(program, e);
  }

  CommandResult result;
  const bool overflow =
      collect_output(out_r.get(), err_r.get(), deadline, spec.stdout_limit, result);
  if (result.timed_out || overflow) kill_child(pid);
  if (!reap_child(pid, deadline, result)) return start_error(program, errno);
  if (result.err.size() > kStderrKeep) result.err.erase(0, result.err.size() - kStderrKeep);
  if (overflow) {
    return make_error(ErrorKind::Temporary, "Failed to run '" + program + "': more than " +
                                                std::to_string(spec.stdout_limit) +
                                                " bytes of output");
  }
  return result;
}

std::string tail_line(const std::string& s, std::size_t n) {
  std::string t = s.size() > n ? s.substr(s.size() - n) : s;
  const auto first = t.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  t = t.substr(first, t.find_last_not_of(" \t\r\n") - first + 1);
  std::string out;
  for (char c : t) {
    if (c == '\n') {
      out += "; ";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

}  // namespace imageswitch
