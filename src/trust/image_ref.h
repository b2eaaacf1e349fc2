// Docker image references (distribution/reference grammar with docker.io normalisation) parsed
// into a typed struct: registry host[:port], repository path, tag, digest.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace imageswitch {

/// A normalised image reference; `tag` and `digest` may both be empty, or both set.
struct ImageRef {
  std::string host;    ///< "quay.io", "localhost:5000", "docker.io"
  std::string path;    ///< "ns/name" ("library/busybox" on docker.io)
  std::string tag;     ///< "latest", or ""
  std::string digest;  ///< "sha256:<hex>", or ""
  /// "host/path": the repository.
  std::string name() const { return host + "/" + path; }
  /// "host/path[:tag][@digest]".
  std::string string() const;
  bool operator==(const ImageRef&) const = default;
};

/// Parses `text` with docker.io normalisation; errors read "Failed to parse image reference 'X':
/// …".
Result<ImageRef> parse_image_ref(std::string_view text);

/// Parses a repository name without tag or digest (e.g. a policy's dockerRepository).
Result<ImageRef> parse_repository(std::string_view text);

/// True when `s` is "sha256:" followed by 64 lower-case hex digits.
bool is_sha256_digest(std::string_view s);

/// Scopes for policy / registries.d lookup, most specific first: the full reference (when tagged
/// or digested), the repository, each parent namespace, host[:port], then "*.domain" wildcards.
std::vector<std::string> ref_scopes(const ImageRef& ref);

}  // namespace imageswitch
