#include "registries_d.h"

#include <dirent.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "fileutil.h"
#include "text.h"
#include "yaml_strict.h"

namespace imageswitch {
namespace {

constexpr std::size_t kMaxRegistriesDFile = 1 << 20;

Error d_error(std::string_view origin, const std::string& why) {
  return make_error(ErrorKind::Usage,
                    "Failed to parse registries.d file '" + std::string(origin) + "': " + why);
}

Result<RegistriesDSection> section_of(const YAML::Node& n, std::string_view origin,
                                      const std::string& what) {
  if (!n.IsMap()) return d_error(origin, what + " must be a mapping");
  RegistriesDSection out;
  if (YAML::Node v = n["use-sigstore-attachments"]) {
    try {
      out.use_sigstore_attachments = v.as<bool>();
    } catch (const YAML::Exception&) {
      return d_error(origin, what + ": 'use-sigstore-attachments' must be true or false");
    }
  }
  for (const char* key : {"lookaside", "sigstore"})
    if (YAML::Node v = n[key]; v && !out.lookaside) {
      if (!v.IsScalar()) return d_error(origin, what + ": '" + key + "' must be a URL");
      out.lookaside = v.Scalar();
    }
  return out;
}

Result<void> merge_file(const YAML::Node& root, std::string_view origin, RegistriesD& out) {
  if (root.IsNull()) return {};
  if (!root.IsMap()) return d_error(origin, "the top level must be a mapping");
  if (YAML::Node d = root["default-docker"]) {
    if (out.default_docker)
      return d_error(origin, "'default-docker' is defined in more than one file");
    auto v = section_of(d, origin, "'default-docker'");
    if (!v) return v.error();
    out.default_docker = *v;
  }
  if (YAML::Node docker = root["docker"]) {
    if (!docker.IsMap()) return d_error(origin, "'docker' must be a mapping of scopes");
    for (const auto& kv : docker) {
      if (!kv.first.IsScalar()) return d_error(origin, "a 'docker' scope must be a plain string");
      std::string scope = kv.first.Scalar();
      if (out.docker.count(scope))
        return d_error(origin, "scope '" + printable(scope, 256) + "' is defined twice");
      auto v = section_of(kv.second, origin, "scope '" + printable(scope, 256) + "'");
      if (!v) return v.error();
      out.docker[scope] = *v;
    }
  }
  return {};
}

}  // namespace

bool RegistriesD::use_sigstore_attachments(const ImageRef& ref) const {
  for (const std::string& s : ref_scopes(ref))
    if (auto it = docker.find(s); it != docker.end() && it->second.use_sigstore_attachments)
      return *it->second.use_sigstore_attachments;
  if (default_docker && default_docker->use_sigstore_attachments)
    return *default_docker->use_sigstore_attachments;
  return false;
}

Result<void> parse_registries_d_file(std::string_view text, std::string_view origin,
                                     RegistriesD& out) {
  if (text.size() > kMaxRegistriesDFile)
    return d_error(origin, "too large (" + std::to_string(text.size()) + " bytes, limit " +
                               std::to_string(kMaxRegistriesDFile) + ")");
  // yaml-cpp throws on shapes it cannot convert (complex keys, aliases…): nothing escapes.
  try {
    YAML::Node root = YAML::Load(std::string(text));
    // containers/image reads these files with yaml.v3, which refuses a repeated key.
    if (const std::string why = yaml_refusal(root); !why.empty()) return d_error(origin, why);
    RegistriesD merged = out;
    TRY(merge_file(root, origin, merged));
    out = std::move(merged);
    return {};
  } catch (const YAML::Exception& e) {
    return d_error(origin, printable(e.what(), 256));
  } catch (const std::exception& e) {
    return d_error(origin, printable(e.what(), 256));
  }
}

Result<RegistriesD> load_registries_d(const std::string& dir) {
  RegistriesD out;
  std::vector<std::string> files;
  DIR* d = opendir(dir.c_str());
  if (!d && errno == ENOENT) return out;
  if (!d)
    return make_error(ErrorKind::Usage,
                      "Failed to read registries.d '" + dir + "': " + std::strerror(errno));
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".yaml") == 0) files.push_back(dir + "/" + n);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    auto text = read_file(f, kMaxRegistriesDFile);
    if (!text) return make_error(ErrorKind::Usage, text.error().message);
    TRY(parse_registries_d_file(*text, f, out));
  }
  return out;
}

}  // namespace imageswitch
