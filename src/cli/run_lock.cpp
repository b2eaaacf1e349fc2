#include "run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fileutil.h"

namespace imageswitch {

Result<std::optional<RunLock>> RunLock::try_acquire(const std::string& runtime_dir) {
  TRY(ensure_directory(runtime_dir, 0755));
  const std::string path = runtime_dir + "/lock";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error(ErrorKind::Temporary,
                      "Failed to open lock file '" + path + "': " + std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) return std::optional<RunLock>();
    return make_error(ErrorKind::Temporary, "Failed to lock '" + path + "': " + std::strerror(err));
  }
  return std::optional<RunLock>(RunLock(fd));
}

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace imageswitch
