// The one temporary-directory helper of the tests: a fresh directory under $TMPDIR (or /tmp),
// removed with its contents on destruction. Header-only and free of project code, so every
// layer's tests (core's included, which link core alone) can use it.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace imageswitch::testing {

/// A fresh directory named "imageswitch-<tag>-XXXXXX"; removed recursively on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "test") {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                          "/imageswitch-" + tag + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("Failed to create a temporary directory '" + pattern + "'");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  /// The directory's path.
  const std::string& path() const { return path_; }
  /// `path()/name`.
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Writes `text` to `path()/name` and returns that path; throws when it cannot.
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = file(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("Failed to write '" + path + "'");
    return path;
  }

 private:
  std::string path_;
};

}  // namespace imageswitch::testing
