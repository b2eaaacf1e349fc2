// Path rules for imageswitch-render (see image_paths.h).
#include "image_paths.h"

#include <array>
#include <cctype>

namespace imageswitch {
namespace {

/// The normalised form of an absolute `path` (collapsing "//", "." and ".."), for the message.
std::string normalised(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  std::array<std::size_t, 512> starts{};
  std::size_t depth = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const std::string_view part = path.substr(i, j - i);
    i = j;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (depth > 0) out.resize(starts[--depth]);
      continue;
    }
    if (depth < starts.size()) starts[depth++] = out.size();
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

struct OutsideArea {
  const char* dir;
  const char* why;
};

/// Top-level directories whose content an image update does not deliver.
constexpr std::array<OutsideArea, 9> kOutside{{
    {"/var",
     "/var is machine state that image updates never change; create it at boot with a "
     "tmpfiles.d entry (a file under /etc/tmpfiles.d) or a oneshot unit instead"},
    {"/run", "/run is a tmpfs created at boot; use a tmpfiles.d entry instead"},
    {"/tmp", "/tmp is emptied at boot; use a tmpfiles.d entry instead"},
    {"/proc", "/proc is a kernel file system, not image content"},
    {"/sys", "/sys is a kernel file system, not image content; use a udev rule or sysctl.d"},
    {"/dev", "/dev is created by the kernel and udev, not image content; use a udev rule"},
    {"/boot", "/boot is managed by ostree/bootc; use kernelArguments for the command line"},
    {"/sysroot", "/sysroot is the physical root managed by ostree/bootc"},
    {"/ostree", "/ostree is the ostree repository managed by ostree/bootc"},
}};

}  // namespace

bool is_below(std::string_view path, std::string_view dir) {
  if (dir == "/") return path.size() > 1 && path[0] == '/';
  return path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/';
}

std::string image_path_problem(std::string_view path) {
  if (path.empty()) return "path is empty";
  if (path.find('\0') != std::string_view::npos) return "path contains a NUL byte";
  if (path[0] != '/') return "path \"" + std::string(path) + "\" is not absolute";
  if (path.size() > 4096) return "path is longer than 4096 bytes";
  const std::string norm = normalised(path);
  if (norm != path)
    return "path \"" + std::string(path) +
           "\" is not normalised (\"..\", \".\", \"//\" or a "
           "trailing \"/\"); write \"" +
           norm + "\"" +
           (path.find("..") != std::string_view::npos
                ? " (\"..\" is refused: it could leave the tree)"
                : "");
  if (path == "/") return "path \"/\" is the root directory itself";
  for (const auto& area : kOutside)
    if (path == area.dir || is_below(path, area.dir))
      return "path \"" + std::string(path) + "\" is under " + area.dir + ": " + area.why;
  return "";
}

std::string unit_name_problem(std::string_view name) {
  static constexpr std::array<std::string_view, 11> suffixes{
      ".service",   ".socket", ".target", ".timer", ".path",  ".mount",
      ".automount", ".swap",   ".slice",  ".scope", ".device"};
  if (name.empty()) return "unit name is empty";
  if (name.size() > 255) return "unit name is longer than 255 bytes";
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view(":-_.\\@").find(c) == std::string_view::npos)
      return "unit name \"" + std::string(name) +
             "\" has characters systemd does not allow in "
             "unit names (only letters, digits and \":-_.\\@\")";
  for (auto s : suffixes)
    if (name.size() > s.size() && name.substr(name.size() - s.size()) == s && name[0] != '.')
      return "";
  return "unit name \"" + std::string(name) + "\" has no systemd unit suffix (.service, .timer, …)";
}

std::string dropin_name_problem(std::string_view name) {
  if (name.size() < 6 || name.substr(name.size() - 5) != ".conf" || name[0] == '.')
    return "drop-in name \"" + std::string(name) + "\" must be NAME.conf";
  for (char c : name)
    if (c == '/' || static_cast<unsigned char>(c) < 0x20)
      return "drop-in name \"" + std::string(name) + "\" contains '/' or a control character";
  return "";
}

}  // namespace imageswitch
