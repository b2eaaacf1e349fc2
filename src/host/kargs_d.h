// Kernel arguments shipped in an image as bootc's kargs.d: usr/lib/bootc/kargs.d/*.toml, read in
// lexical order, each `kargs = ["a", "b=c"]` with an optional `match-architectures` (Rust
// architecture names); no other key is allowed (containers/bootc lib/src/kargs.rs,
// `Config` with deny_unknown_fields). Plus the set arithmetic that turns two images' kargs.d and a
// pending kernel command line into rpm-ostree KernelArgs' append-if-missing/delete-if-present.
#pragma once

#include <string>
#include <vector>

#include "host_backend.h"
#include "result.h"

namespace imageswitch {

/// Where kargs.d lives inside a deployment's files.
inline constexpr const char* kKargsDir = "usr/lib/bootc/kargs.d";

/// The Rust architecture name (x86_64, aarch64, powerpc64le, s390x) of a config `arch`
/// (amd64, arm64, ppc64le, s390x) or uname -m name; "" → this machine's; others unchanged.
std::string rust_arch(const std::string& arch);

/// The directory of `d`'s files: <sysroot>/ostree/deploy/<osname>/deploy/<checksum>.<serial>.
std::string deployment_dir(const std::string& sysroot, const Deployment& d);

/// The arguments of one kargs.d file's `text` (named `name` in errors) that apply on
/// `arch` (Rust name): none when match-architectures lists others. Bad TOML, a missing `kargs`,
/// a non-string element or an unknown key → Degraded naming `name`.
Result<std::vector<std::string>> parse_kargs_file(const std::string& text, const std::string& name,
                                                  const std::string& arch);

/// All arguments of the *.toml files in `dir` (lexical order) for `arch`; no directory → none.
Result<std::vector<std::string>> read_kargs_dir(const std::string& dir, const std::string& arch);

/// The elements of `a` that are not in `b`, in `a`'s order, each once.
std::vector<std::string> kargs_minus(const std::vector<std::string>& a,
                                     const std::vector<std::string>& b);

/// The arguments of a kernel command line (split on blanks; double quotes keep blanks).
std::vector<std::string> split_cmdline(const std::string& cmdline);

/// What KernelArgs must change on a pending command line to carry `change`.
struct KargsEdit {
  std::vector<std::string> append;  ///< added arguments the command line lacks
  std::vector<std::string> remove;  ///< removed arguments the command line still has
  /// True when nothing needs to change.
  bool empty() const { return append.empty() && remove.empty(); }
};

/// The edit that makes `cmdline` carry `change` (idempotent: an applied change → empty edit).
KargsEdit plan_kargs_edit(const std::string& cmdline, const KargsChange& change);

}  // namespace imageswitch
