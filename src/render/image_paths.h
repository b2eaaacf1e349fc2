// Which paths a MachineConfig may put into an OS image, and the systemd unit and drop-in names.
#pragma once

#include <string>
#include <string_view>

namespace imageswitch {

/// "" when `path` is absolute, normalised ("/a/b": no "//", ".", "..", trailing "/") and inside
/// the image's content; otherwise why not, with what to do instead.
std::string image_path_problem(std::string_view path);

/// "" when `name` is a valid systemd unit name (name.suffix, no '/'); otherwise why not.
std::string unit_name_problem(std::string_view name);

/// "" when `name` is a valid drop-in file name (*.conf, no '/'); otherwise why not.
std::string dropin_name_problem(std::string_view name);

/// True when `path` lies strictly below `dir` ("/a/b" is below "/a", "/ab" is not).
bool is_below(std::string_view path, std::string_view dir);

}  // namespace imageswitch
