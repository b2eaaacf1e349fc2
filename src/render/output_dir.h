// Writing a render to disk: DIR/Containerfile, DIR/apply.sh, DIR/render.json and DIR/tree/.
#pragma once

#include <string>

#include "render_plan.h"
#include "result.h"

namespace imageswitch {

/// Modification time of everything written (the same bytes and times for the same input).
inline constexpr long long kFixedMtime = 0;

/// Writes the build context for `plan` into `dir`, which must be missing or empty (Usage error
/// otherwise). Modes are the plan's; owners stay the writer's (apply.sh sets them in the image).
Result<void> write_output_dir(const RenderPlan& plan, const std::string& dir);

}  // namespace imageswitch
