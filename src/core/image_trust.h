// The narrow interface of image trust: tag → per-platform digest, then signature verification.
// The real implementation is registry.h + policy.h + signature.h; fakes live in tests/.
#pragma once

#include <string>

#include "result.h"

namespace imageswitch {

/// A reference resolved to the exact manifest that will be deployed.
struct ResolvedImage {
  std::string reference;   ///< the logical reference as asked for (normalised)
  std::string repository;  ///< "registry/namespace/name" of the logical reference
  std::string digest;      ///< "sha256:<hex>" of the per-platform manifest
  /// The pinned reference "repository@digest" that is staged.
  std::string pinned() const { return repository + "@" + digest; }
};

/// Resolves and verifies images.
class ImageTrust {
 public:
  virtual ~ImageTrust() = default;
  /// Resolves `reference` to the manifest digest for this node's architecture.
  virtual Result<ResolvedImage> resolve(const std::string& reference) = 0;
  /// Checks `image` against containers-policy.json; returns a description of what accepted it
  /// (e.g. the key), or a Degraded error naming the reason for rejection.
  virtual Result<std::string> verify(const ResolvedImage& image) = 0;
};

}  // namespace imageswitch
