// From a parsed MachineConfig to what goes into the build context: every path of the image tree
// (files, unit files, drop-ins, the kargs.d file, directories, links), the systemctl actions and
// the packages.
#pragma once

#include <string>
#include <vector>

#include "packages.h"
#include "render_types.h"

namespace imageswitch {

/// The command-line choices that shape a render.
struct RenderOptions {
  std::string from;  ///< base image; "" = spec.osImageURL
  std::string arch;  ///< canonical architecture; "" = unknown
};

/// Everything the Containerfile, apply.sh, the tree and render.json are written from.
struct RenderPlan {
  std::string source;  ///< metadata.name
  std::string base;
  std::string arch;
  std::string ignition_version;
  std::vector<FileEntry> files;                            ///< sorted by path
  std::vector<DirEntry> directories;                       ///< sorted by path
  std::vector<LinkEntry> links;                            ///< sorted by path
  std::vector<std::string> enable, disable, mask, preset;  ///< unit names, sorted
  std::vector<std::string> kernel_arguments;               ///< in order, fips=1 last
  std::vector<std::string> extensions;                     ///< as given
  std::vector<std::string> packages;                       ///< of the extensions, sorted, unique
  std::string kernel_type;
  KernelSwap kernel;
};

/// The plan for `config`; adds cross-entry problems (a path declared twice, a path below a link
/// or a file, no base image) to `problems`.
RenderPlan plan_render(const MachineConfig& config, const RenderOptions& options,
                       std::vector<std::string>& problems);

/// "" when `image` can be a FROM line (non-empty, no white space or control characters).
std::string base_image_problem(const std::string& image);

}  // namespace imageswitch
