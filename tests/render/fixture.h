// Test helpers: reading the render fixtures (tests/render/fixtures) and finding parsed entries.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "machineconfig.h"
#include "render_plan.h"

namespace imageswitch::test {

/// The text of fixture `name`; SOURCE_ROOT (set by meson) locates the source tree.
inline std::string fixture_text(const std::string& name) {
  const char* root = std::getenv("SOURCE_ROOT");
  REQUIRE(root != nullptr);
  std::ifstream in(std::string(root) + "/tests/render/fixtures/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The plan of fixture `name`, which must have no problems.
inline RenderPlan clean_plan(const std::string& name, const RenderOptions& options = {}) {
  ParsedMachineConfig parsed = parse_machineconfig(fixture_text(name), options.arch);
  RenderPlan plan = plan_render(parsed.config, options, parsed.problems);
  for (const auto& p : parsed.problems) MESSAGE(p);
  REQUIRE(parsed.problems.empty());
  return plan;
}

/// The file at `path` in `plan`; fails the test when there is none.
inline const FileEntry& file_at(const RenderPlan& plan, const std::string& path) {
  for (const auto& f : plan.files)
    if (f.path == path) return f;
  FAIL("no file " << path);
  throw 0;
}

}  // namespace imageswitch::test
