// The real ImageTrust: registries.conf endpoints + registry client for resolve, and
// containers-policy.json + registries.d + sigstore attachments for verify.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config.h"
#include "policy.h"
#include "registries_conf.h"
#include "registries_d.h"
#include "registry.h"
#include "image_trust.h"

namespace imageswitch {

/// ImageTrust backed by real registries.
class RegistryImageTrust : public ImageTrust {
 public:
  /// Uses settings' auth_file, policy_file, registries_conf, registries_d, certs_d, architecture.
  explicit RegistryImageTrust(const Settings& settings, HttpOptions http = {});
  Result<ResolvedImage> resolve(const std::string& reference) override;
  Result<std::string> verify(const ResolvedImage& image) override;
  /// HTTP requests made so far.
  std::uint64_t request_count() const { return client_ ? client_->request_count() : 0; }

 private:
  Result<void> load_registry_side();
  Result<void> load_policy_side();
  Result<Endpoint> contacted_endpoint(const ImageRef& logical, const std::string& digest);
  Result<std::vector<CandidateSignature>> fetch_signatures(const ImageRef& logical,
                                                           const std::string& digest);

  Settings settings_;
  HttpOptions http_;
  std::unique_ptr<RegistryClient> client_;
  RegistriesConf conf_;
  std::optional<Policy> policy_;
  RegistriesD registries_d_;
  std::map<std::string, Endpoint> contacted_;  ///< logical pinned reference → endpoint used
};

/// What `imageswitch check` prints.
struct CheckReport {
  std::string pinned;       ///< "repository@sha256:…" (logical repository)
  std::string accepted_by;  ///< e.g. "sigstore signature by ECDSA P-256 key '/k.pub' (…)"
};

/// Resolves and verifies `reference`; the error names the precise rejection reason.
Result<CheckReport> check_image(ImageTrust& trust, const std::string& reference);

}  // namespace imageswitch
