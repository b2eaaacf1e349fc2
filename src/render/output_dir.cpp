// The build context on disk (see output_dir.h). Everything is created with O_EXCL/O_NOFOLLOW
// below a directory this run made, so nothing is written outside DIR.
#include "output_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "containerfile.h"
#include "render_json.h"

namespace imageswitch {
namespace {

Error os_error(const std::string& what, const std::string& path) {
  return make_error(ErrorKind::Usage,
                    "Failed to " + what + " " + path + ": " + std::strerror(errno));
}

/// Owns one file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

/// Creates the directories leading to `path` (below `root`) with mode 0755, recording them.
Result<void> make_parents(const std::string& root, const std::string& path,
                          std::set<std::string>& created) {
  for (std::size_t cut = path.find('/', 1); cut != std::string::npos;
       cut = path.find('/', cut + 1)) {
    const std::string dir = root + path.substr(0, cut);
    if (::mkdir(dir.c_str(), 0755) == 0) {
      created.insert(dir);
    } else if (errno != EEXIST) {
      return os_error("create directory", dir);
    }
  }
  return {};
}

Result<void> write_bytes(const std::string& path, const std::string& bytes, unsigned mode) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return os_error("create", path);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("write", path);
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.get(), mode & 07777u) != 0) return os_error("set the mode of", path);
  return {};
}

Result<void> prepare_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) return {};
  if (errno != EEXIST) return os_error("create output directory", dir);
  DIR* d = ::opendir(dir.c_str());
  if (!d) return os_error("open output directory", dir);
  bool empty = true;
  while (const dirent* e = ::readdir(d))
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) empty = false;
  ::closedir(d);
  if (!empty)
    return make_error(ErrorKind::Usage, "Failed to render into " + dir +
                                            ": the directory is not empty; remove it or choose "
                                            "another (a render never mixes with old files)");
  return {};
}

Result<void> write_tree(const RenderPlan& plan, const std::string& tree,
                        std::set<std::string>& created) {
  for (const auto& d : plan.directories) {
    TRY(make_parents(tree, d.path, created));
    const std::string p = tree + d.path;
    if (::mkdir(p.c_str(), 0700) != 0) return os_error("create directory", p);
    if (::chmod(p.c_str(), d.mode & 07777u) != 0) return os_error("set the mode of", p);
    created.insert(p);
  }
  for (const auto& f : plan.files) {
    TRY(make_parents(tree, f.path, created));
    TRY(write_bytes(tree + f.path, f.contents, f.mode));
    created.insert(tree + f.path);
  }
  for (const auto& l : plan.links) {
    TRY(make_parents(tree, l.path, created));
    const std::string p = tree + l.path;
    if (::symlink(l.target.c_str(), p.c_str()) != 0) return os_error("create link", p);
    created.insert(p);
  }
  return {};
}

}  // namespace

Result<void> write_output_dir(const RenderPlan& plan, const std::string& dir) {
  TRY(prepare_dir(dir));
  std::set<std::string> created;
  const std::string tree = dir + "/tree";
  if (::mkdir(tree.c_str(), 0755) != 0) return os_error("create directory", tree);
  created.insert(tree);
  TRY(write_tree(plan, tree, created));
  for (const auto& [name, text] :
       {std::pair<const char*, std::string>{"Containerfile", containerfile_text(plan)},
        {"apply.sh", apply_script(plan)},
        {"render.json", render_json_text(plan)}}) {
    TRY(write_bytes(dir + "/" + name, text, 0644));
    created.insert(dir + "/" + name);
  }
  created.insert(dir);
  const timespec times[2] = {{kFixedMtime, 0}, {kFixedMtime, 0}};
  for (auto it = created.rbegin(); it != created.rend(); ++it)  // children before parents
    if (::utimensat(AT_FDCWD, it->c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
      return os_error("set the time of", *it);
  return {};
}

}  // namespace imageswitch
