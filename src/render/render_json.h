// render.json: what a render produced, for review and for tests.
#pragma once

#include <string>

#include "render_plan.h"

namespace imageswitch {

/// The render.json text for `plan` (sorted keys, two-space indent, trailing newline): source,
/// base, counts, every path with its type, mode, owner (and link target), units, kernel
/// arguments, extensions, packages and kernel type.
std::string render_json_text(const RenderPlan& plan);

}  // namespace imageswitch
