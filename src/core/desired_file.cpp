#include "desired_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <sstream>

#include "fileutil.h"
#include "text.h"

namespace imageswitch {
namespace {

constexpr std::size_t kMaxDesiredFile = 64 << 10;

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

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
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) return std::string();
  auto text = read_file(path_, kMaxDesiredFile);
  if (!text) {
    Error e = text.error();
    e.kind = ErrorKind::Usage;
    return e;
  }
  return parse_desired_text(*text, path_);
}

}  // namespace imageswitch
