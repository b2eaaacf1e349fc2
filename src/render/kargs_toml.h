// The bootc kargs.d file carrying a MachineConfig's kernel arguments into the image.
#pragma once

#include <string>
#include <vector>

namespace imageswitch {

/// Where the file goes in the image (bootc reads /usr/lib/bootc/kargs.d/*.toml in lexical order).
inline constexpr const char* kKargsPath = "/usr/lib/bootc/kargs.d/10-machineconfig.toml";

/// The TOML text `kargs = ["a", "b=c"]` for `kargs`, with a comment naming `source`.
std::string kargs_toml(const std::vector<std::string>& kargs, const std::string& source);

/// `text` as a TOML basic string, quotes included (RFC-less but per TOML 1.0 §String).
std::string toml_quote(const std::string& text);

}  // namespace imageswitch
