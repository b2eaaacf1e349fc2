// registries.d(5): which docker scopes read sigstore attachments (use-sigstore-attachments).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "image_ref.h"
#include "result.h"

namespace imageswitch {

/// One configuration section (default-docker or a docker scope); unset settings stay empty.
struct RegistriesDSection {
  std::optional<bool> use_sigstore_attachments;
  std::optional<std::string> lookaside;  ///< lookaside (or the older sigstore); read, not used
};

/// The merged YAML files of a registries.d directory (only what we use).
struct RegistriesD {
  std::optional<RegistriesDSection> default_docker;
  std::map<std::string, RegistriesDSection> docker;  ///< scope → section
  /// use-sigstore-attachments from the most precise scope for `ref` that sets it, else
  /// default-docker's, else false: each setting is looked up on its own, as containers/image
  /// docker/registries_d.go useCosignAttachments() does (the man page says only the most precise
  /// section applies; rpm-ostree and skopeo follow the code).
  bool use_sigstore_attachments(const ImageRef& ref) const;
};

/// Merges the YAML text of one file named `origin` into `out` (duplicate scopes are errors).
Result<void> parse_registries_d_file(std::string_view text, std::string_view origin,
                                     RegistriesD& out);

/// Reads every *.yaml file of `dir` (sorted); a missing directory yields no configuration.
Result<RegistriesD> load_registries_d(const std::string& dir);

}  // namespace imageswitch
