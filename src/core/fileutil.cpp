#include "fileutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace imageswitch {

namespace {

/// Closes a file descriptor on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) close(fd);
  }
};

Error errno_error(const std::string& what, const std::string& path, int err) {
  return make_error(ErrorKind::Temporary,
                    "Failed to " + what + " '" + path + "': " + std::strerror(err));
}

}  // namespace

Result<std::string> read_file(const std::string& path, std::size_t limit, ErrorKind kind) {
  auto text = read_file(path, limit);
  if (!text) {
    Error e = text.error();
    e.kind = kind;
    return e;
  }
  return text;
}

Result<std::string> read_file(const std::string& path, std::size_t limit) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error("open", path, errno);
  FdCloser closer{fd};
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > limit)
      return make_error(ErrorKind::Usage, "Failed to read '" + path + "': larger than " +
                                              std::to_string(limit) + " bytes");
  }
  return out;
}

bool file_missing(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

Result<void> write_file_atomic(const std::string& path, const std::string& content, unsigned mode) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  // Never through a symbolic link: a stale temporary file is removed (unlink does not follow),
  // then created exclusively; rename() replaces a link at `path` instead of following it.
  unlink(tmp.c_str());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return errno_error("create", tmp, errno);
  {
    FdCloser closer{fd};
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = write(fd, content.data() + done, content.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        unlink(tmp.c_str());
        return errno_error("write", tmp, err);
      }
      done += static_cast<std::size_t>(n);
    }
    if (fsync(fd) != 0) {
      const int err = errno;
      unlink(tmp.c_str());
      return errno_error("fsync", tmp, err);
    }
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    return errno_error("rename into", path, err);
  }
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return errno_error("open directory", dir, errno);
  FdCloser dcloser{dfd};
  if (fsync(dfd) != 0) return errno_error("fsync directory", dir, errno);
  return {};
}

Result<void> ensure_directory(const std::string& path, unsigned mode) {
  if (path.empty()) return {};
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), mode) != 0 && errno != EEXIST)
      return errno_error("create directory", partial, errno);
  }
  return {};
}

Result<void> check_private_directory(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};  // created later with a private mode
    return errno_error("inspect", path, errno);
  }
  auto refuse = [&](const std::string& why) {
    return make_error(ErrorKind::Usage, "Refusing to use '" + path + "': " + why);
  };
  if (S_ISLNK(st.st_mode)) return refuse("it is a symbolic link; make it a real directory");
  if (!S_ISDIR(st.st_mode)) return {};  // creating files there fails later, as a disk fault
  if (st.st_uid != geteuid())
    return refuse("it is owned by uid " + std::to_string(st.st_uid) + ", not by this user");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return refuse("it is writable by other users (chmod go-w '" + path + "')");
  return {};
}

}  // namespace imageswitch
