#include "desired_file.h"

#include <sstream>

#include "fileutil.h"
#include "text.h"

namespace imageswitch {
namespace {

constexpr std::size_t kMaxDesiredFile = 64 << 10;

}  // namespace

FileSource::FileSource(std::string path) : path_(std::move(path)) {}

Result<std::string> parse_desired_text(const std::string& text, const std::string& origin) {
  std::istringstream lines(text);
  std::string line;
  std::string found;
  while (std::getline(lines, line)) {
    const std::string value = trim(line);
    if (value.empty()) continue;
    if (!found.empty())
      return make_error(ErrorKind::Usage, "Failed to read desired image from '" + origin +
                                              "': more than one non-empty line; write exactly one "
                                              "image reference");
    found = value;
  }
  if (!is_valid_utf8(found) || printable(found) != found)
    return make_error(ErrorKind::Usage, "Failed to read desired image from '" + origin +
                                            "': the reference '" + printable(found, 256) +
                                            "' is not printable UTF-8 of at most " +
                                            std::to_string(kMaxStoredText) + " bytes");
  if (found.find_first_of(" \t") != std::string::npos)
    return make_error(ErrorKind::Usage, "Failed to read desired image from '" + origin +
                                            "': the reference contains whitespace");
  return found;
}

Result<std::string> FileSource::desired() {
  if (file_missing(path_)) return std::string();
  // The caller's choice: a file that exists but cannot be read may read fine at the next trigger
  // (Temporary); what it says (too large, several lines) is for the admin to fix (Usage).
  auto text = read_file(path_, kMaxDesiredFile);
  if (!text) return text.error();
  return parse_desired_text(*text, path_);
}

}  // namespace imageswitch
