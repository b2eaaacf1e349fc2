// The build instructions of a render: the Containerfile and the apply.sh script it runs.
#pragma once

#include <string>

#include "render_plan.h"

namespace imageswitch {

/// Directory of the build context inside the RUN step that installs the tree (a bind mount).
inline constexpr const char* kContextMount = "/run/imageswitch-render";

/// The Containerfile text for `plan`: FROM, the tree (apply.sh over a bind mount of the context),
/// systemctl enable/disable/mask/preset, kernel swap, extension packages, bootc lint.
std::string containerfile_text(const RenderPlan& plan);

/// The POSIX sh script that installs the tree with exact modes and owners; existing parent
/// directories of the base image keep theirs, missing ones are created 0755 root as Ignition does.
std::string apply_script(const RenderPlan& plan);

/// `text` as one single-quoted POSIX shell word.
std::string shell_quote(const std::string& text);

}  // namespace imageswitch
