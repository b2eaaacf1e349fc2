// Reading the tests' own files: where the source tree is (meson passes SOURCE_ROOT) and a whole
// file as a string. Header-only, free of project code.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace imageswitch::testing {

/// The source tree's root: $SOURCE_ROOT, or "." when unset.
inline std::string source_root() {
  const char* s = std::getenv("SOURCE_ROOT");
  return s ? s : ".";
}

/// The whole content of `path` ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace imageswitch::testing
