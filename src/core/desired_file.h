// DesiredSource "file": one image reference on one line of a local file (standalone hosts).
#pragma once

#include <string>

#include "cluster.h"

namespace imageswitch {

/// Reads the desired reference from `path`: missing file or only blank lines = "" (nothing
/// desired); more than one non-empty line or a huge file = Usage error naming the file.
class FileSource : public DesiredSource {
 public:
  explicit FileSource(std::string path);
  Result<std::string> desired() override;

 private:
  std::string path_;
};

/// The single reference in `text` (from `origin`), trimmed; "" for blank text.
Result<std::string> parse_desired_text(const std::string& text, const std::string& origin);

}  // namespace imageswitch
