#include "registries_d.h"

#include <dirent.h>

#include <algorithm>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "fileutil.h"

namespace imageswitch {
namespace {

Error d_error(std::string_view origin, const std::string& why) {
  return make_error(ErrorKind::Usage,
                    "Failed to parse registries.d file '" + std::string(origin) + "': " + why);
}

Result<bool> attachments_of(const YAML::Node& n, std::string_view origin, const std::string& what) {
  if (!n.IsMap()) return d_error(origin, what + " must be a mapping");
  YAML::Node v = n["use-sigstore-attachments"];
  if (!v) return false;
  try {
    return v.as<bool>();
  } catch (const YAML::Exception&) {
    return d_error(origin, what + ": 'use-sigstore-attachments' must be true or false");
  }
}

}  // namespace

bool RegistriesD::use_sigstore_attachments(const ImageRef& ref) const {
  for (const std::string& s : ref_scopes(ref))
    if (auto it = docker.find(s); it != docker.end()) return it->second;
  return default_docker.value_or(false);
}

Result<void> parse_registries_d_file(std::string_view text, std::string_view origin,
                                     RegistriesD& out) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return d_error(origin, e.what());
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) return d_error(origin, "the top level must be a mapping");
  if (YAML::Node d = root["default-docker"]) {
    if (out.default_docker)
      return d_error(origin, "'default-docker' is defined in more than one file");
    auto v = attachments_of(d, origin, "'default-docker'");
    if (!v) return v.error();
    out.default_docker = *v;
  }
  if (YAML::Node docker = root["docker"]) {
    if (!docker.IsMap()) return d_error(origin, "'docker' must be a mapping of scopes");
    for (const auto& kv : docker) {
      std::string scope = kv.first.as<std::string>();
      if (out.docker.count(scope)) return d_error(origin, "scope '" + scope + "' is defined twice");
      auto v = attachments_of(kv.second, origin, "scope '" + scope + "'");
      if (!v) return v.error();
      out.docker[scope] = *v;
    }
  }
  return {};
}

Result<RegistriesD> load_registries_d(const std::string& dir) {
  RegistriesD out;
  std::vector<std::string> files;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".yaml") == 0) files.push_back(dir + "/" + n);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    auto text = read_file(f);
    if (!text) return text.error();
    TRY(parse_registries_d_file(*text, f, out));
  }
  return out;
}

}  // namespace imageswitch
