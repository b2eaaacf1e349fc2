#include "kargs_d.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include <sys/utsname.h>

#include <toml++/toml.h>

namespace imageswitch {

namespace {

Error bad_file(const std::string& name, const std::string& what) {
  return make_error(ErrorKind::Degraded, "Invalid kernel arguments file '" + name + "': " + what +
                                             "; the image must carry kargs = [\"arg\", …]");
}

/// The strings of the array at `key` of `t`; `present` tells whether the key exists at all.
Result<std::vector<std::string>> string_array(const toml::table& t, std::string_view key,
                                              const std::string& name, bool& present) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  present = n != nullptr;
  if (!present) return out;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return bad_file(name, "'" + std::string(key) + "' is not a list of strings");
  for (const toml::node& element : *arr) {
    const auto* s = element.as_string();
    if (s == nullptr) return bad_file(name, "'" + std::string(key) + "' is not a list of strings");
    out.push_back(s->get());
  }
  return out;
}

}  // namespace

std::string rust_arch(const std::string& arch) {
  if (arch.empty()) {
    struct utsname u {};
    return uname(&u) == 0 ? rust_arch(u.machine) : "x86_64";
  }
  if (arch == "amd64") return "x86_64";
  if (arch == "arm64") return "aarch64";
  if (arch == "ppc64le") return "powerpc64le";  // GOARCH and uname -m spell it so
  return arch;                                  // s390x is spelled the same
}

std::string deployment_dir(const std::string& sysroot, const Deployment& d) {
  std::string root = sysroot;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root == "/") root.clear();
  return root + "/ostree/deploy/" + d.osname + "/deploy/" + d.checksum + "." +
         std::to_string(d.serial);
}

Result<std::vector<std::string>> parse_kargs_file(const std::string& text, const std::string& name,
                                                  const std::string& arch) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    return bad_file(name, "not valid TOML (" + std::string(e.description()) + ")");
  }
  for (const auto& [key, value] : root) {
    (void)value;
    if (key.str() != "kargs" && key.str() != "match-architectures")
      return bad_file(name, "unknown key '" + std::string(key.str()) + "'");
  }
  bool has_kargs = false;
  auto kargs = string_array(root, "kargs", name, has_kargs);
  if (!kargs) return kargs.error();
  if (!has_kargs) return bad_file(name, "no 'kargs' list");
  bool has_arches = false;
  auto arches = string_array(root, "match-architectures", name, has_arches);
  if (!arches) return arches.error();
  if (has_arches && std::find(arches->begin(), arches->end(), arch) == arches->end())
    return std::vector<std::string>{};
  return kargs;
}

Result<std::vector<std::string>> read_kargs_dir(const std::string& dir, const std::string& arch) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> out;
  if (!fs::exists(dir, ec)) return out;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".toml" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return make_error(ErrorKind::Temporary, "Failed to list '" + dir + "': " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in && !in.eof())
      return make_error(ErrorKind::Temporary, "Failed to read '" + file.string() + "'");
    auto kargs = parse_kargs_file(text.str(), file.string(), arch);
    if (!kargs) return kargs.error();
    out.insert(out.end(), kargs->begin(), kargs->end());
  }
  return out;
}

std::vector<std::string> kargs_minus(const std::vector<std::string>& a,
                                     const std::vector<std::string>& b) {
  const std::set<std::string> exclude(b.begin(), b.end());
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const std::string& x : a) {
    if (exclude.count(x) == 0 && seen.insert(x).second) out.push_back(x);
  }
  return out;
}

std::vector<std::string> split_cmdline(const std::string& cmdline) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  bool any = false;
  for (char c : cmdline) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == ' ' || c == '\t' || c == '\n')) {
      if (any) out.push_back(current);
      current.clear();
      any = false;
      continue;
    }
    current += c;
    any = true;
  }
  if (any) out.push_back(current);
  return out;
}

KargsEdit plan_kargs_edit(const std::string& cmdline, const KargsChange& change) {
  const std::vector<std::string> present = split_cmdline(cmdline);
  KargsEdit edit;
  edit.append = kargs_minus(change.added, present);
  for (const std::string& arg : kargs_minus(change.removed, {})) {
    if (std::find(present.begin(), present.end(), arg) != present.end()) edit.remove.push_back(arg);
  }
  return edit;
}

}  // namespace imageswitch
