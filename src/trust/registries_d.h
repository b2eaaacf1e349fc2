// registries.d(5): which docker scopes read sigstore attachments (use-sigstore-attachments).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "image_ref.h"
#include "result.h"

namespace imageswitch {

/// The merged YAML files of a registries.d directory (only what we use).
struct RegistriesD {
  std::optional<bool> default_docker;  ///< default-docker.use-sigstore-attachments
  std::map<std::string, bool> docker;  ///< scope → use-sigstore-attachments
  /// The setting of the most precise scope for `ref`, else default-docker, else false.
  bool use_sigstore_attachments(const ImageRef& ref) const;
};

/// Merges the YAML text of one file named `origin` into `out` (duplicate scopes are errors).
Result<void> parse_registries_d_file(std::string_view text, std::string_view origin,
                                     RegistriesD& out);

/// Reads every *.yaml file of `dir` (sorted); a missing directory yields no configuration.
Result<RegistriesD> load_registries_d(const std::string& dir);

}  // namespace imageswitch
