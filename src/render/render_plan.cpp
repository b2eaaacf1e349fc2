// MachineConfig → RenderPlan (see render_plan.h). Unit placement follows the machine-config
// daemon's writeUnit/writeDropins (pkg/daemon/file_writers.go): /etc/systemd/system/NAME and
// /etc/systemd/system/NAME.d/DROPIN, mode 0644, root; a masked unit's contents are not written.
#include "render_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "image_paths.h"
#include "kargs_toml.h"

namespace imageswitch {
namespace {

constexpr const char* kUnitDir = "/etc/systemd/system";

template <class T>
void sort_by_path(std::vector<T>& v) {
  std::sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.path < b.path; });
}

void add_units(const MachineConfig& config, RenderPlan& plan) {
  for (std::size_t i = 0; i < config.units.size(); ++i) {
    const UnitEntry& unit = config.units[i];
    const std::string origin = "spec.config.systemd.units[" + std::to_string(i) + "]";
    for (const Dropin& d : unit.dropins)
      plan.files.push_back({std::string(kUnitDir) + "/" + unit.name + ".d/" + d.name,
                            d.contents,
                            0644,
                            {},
                            {},
                            origin + ".dropins"});
    if (unit.mask) {
      plan.mask.push_back(unit.name);
      continue;
    }
    if (unit.contents)
      plan.files.push_back(
          {std::string(kUnitDir) + "/" + unit.name, *unit.contents, 0644, {}, {}, origin});
    if (unit.enabled) {
      (*unit.enabled ? plan.enable : plan.disable).push_back(unit.name);
    } else if (unit.contents) {
      plan.preset.push_back(unit.name);  // a drop-in-only unit keeps the base image's state
    }
  }
  for (auto* list : {&plan.enable, &plan.disable, &plan.mask, &plan.preset})
    std::sort(list->begin(), list->end());
}

void add_packages(const MachineConfig& config, RenderPlan& plan) {
  std::set<std::string> packages;
  for (const auto& ext : config.extensions)
    for (auto& p : extension_packages(ext)) packages.insert(p);
  plan.packages.assign(packages.begin(), packages.end());
  plan.extensions = config.extensions;
  plan.kernel_type = config.kernel_type;
  plan.kernel = kernel_swap(config.kernel_type);
}

/// Records paths declared twice and paths that would be written below a link or a file.
void check_paths(const RenderPlan& plan, std::vector<std::string>& problems) {
  std::map<std::string, std::string> kinds;  // path → "file"/"directory"/"link"
  auto declare = [&](const std::string& path, const char* kind) {
    auto [it, fresh] = kinds.emplace(path, kind);
    if (!fresh)
      problems.push_back(path + ": declared twice (as a " + it->second + " and as a " + kind +
                         "); keep one");
  };
  for (const auto& f : plan.files) declare(f.path, "file");
  for (const auto& d : plan.directories) declare(d.path, "directory");
  for (const auto& l : plan.links) declare(l.path, "link");
  for (const auto& [path, kind] : kinds) {
    for (std::size_t cut = path.rfind('/'); cut != 0 && cut != std::string::npos;
         cut = path.rfind('/', cut - 1)) {
      const auto parent = kinds.find(path.substr(0, cut));
      if (parent == kinds.end() || parent->second == "directory") continue;
      problems.push_back(path + ": lies below " + parent->first + ", which is a " + parent->second +
                         " (writing through it could leave the tree); remove one of them");
      break;
    }
  }
}

}  // namespace

std::string base_image_problem(const std::string& image) {
  if (image.empty()) return "no base image: pass --from IMAGE or set spec.osImageURL";
  for (unsigned char c : image)
    if (c <= 0x20 || c == 0x7f)
      return "base image \"" + image + "\" contains white space or control characters";
  return "";
}

RenderPlan plan_render(const MachineConfig& config, const RenderOptions& options,
                       std::vector<std::string>& problems) {
  RenderPlan plan;
  plan.source = config.name;
  plan.base = options.from.empty() ? config.os_image_url : options.from;
  plan.arch = options.arch;
  plan.ignition_version = config.ignition_version;
  plan.files = config.files;
  plan.directories = config.directories;
  plan.links = config.links;
  add_units(config, plan);
  plan.kernel_arguments = config.kernel_arguments;
  if (config.fips && std::find(plan.kernel_arguments.begin(), plan.kernel_arguments.end(),
                               "fips=1") == plan.kernel_arguments.end())
    plan.kernel_arguments.push_back("fips=1");
  if (!plan.kernel_arguments.empty())
    plan.files.push_back({kKargsPath,
                          kargs_toml(plan.kernel_arguments, plan.source),
                          0644,
                          {},
                          {},
                          "spec.kernelArguments"});
  add_packages(config, plan);
  sort_by_path(plan.files);
  sort_by_path(plan.directories);
  sort_by_path(plan.links);
  check_paths(plan, problems);
  return plan;
}

}  // namespace imageswitch
