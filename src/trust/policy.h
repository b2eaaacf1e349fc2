// containers-policy.json(5) for the docker transport: scope selection (most specific wins
// outright) and evaluation of insecureAcceptAnything / reject / sigstoreSigned (public keys, every
// signedIdentity). GPG, Fulcio, PKI and Rekor requirements are refused, never accepted.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "image_ref.h"
#include "result.h"
#include "signature.h"

namespace imageswitch {

/// A signedIdentity.
struct SignedIdentity {
  enum class Type {
    MatchRepoDigestOrExact,
    MatchExact,
    MatchRepository,
    ExactReference,
    ExactRepository,
    RemapIdentity
  };
  Type type = Type::MatchRepoDigestOrExact;
  ImageRef reference;         ///< exactReference / exactRepository
  std::string prefix;         ///< remapIdentity
  std::string signed_prefix;  ///< remapIdentity
};

/// One policy requirement.
struct Requirement {
  enum class Type { InsecureAcceptAnything, Reject, SigstoreSigned, Unsupported };
  Type type = Type::Reject;
  std::string unsupported;  ///< why an Unsupported requirement cannot be evaluated
  std::vector<PublicKey> keys;
  SignedIdentity identity;
};

/// The parsed policy (docker transport and default only).
struct Policy {
  std::vector<Requirement> default_requirements;
  std::map<std::string, std::vector<Requirement>> docker;  ///< scope → requirements
  /// The requirements for `ref` and the scope they came from ("default" for the default).
  const std::vector<Requirement>& requirements_for(const ImageRef& ref, std::string* scope) const;
};

/// Parses the policy JSON named `origin`; key files named by keyPath(s) are read now.
Result<Policy> parse_policy(std::string_view text, std::string_view origin);

/// Reads and parses the policy file `path` (a missing file is an error).
Result<Policy> load_policy(const std::string& path);

/// One signature found for the image: its payload and raw signature bytes, or why it is unusable.
struct CandidateSignature {
  std::string payload;
  std::string signature;
  std::string problem;  ///< non-empty: could not be read (bad blob digest, missing annotation…)
};

/// Supplies the signatures of the image (called at most once, only when a requirement needs them).
using SignatureFetcher = std::function<Result<std::vector<CandidateSignature>>()>;

/// True when the signed reference `signed_ref` is acceptable for `intended` under `identity`.
bool identity_matches(const SignedIdentity& identity, const ImageRef& intended,
                      const ImageRef& signed_ref);

/// Evaluates `policy` for the logical reference `intended` whose manifest digest is `digest`.
/// Returns what accepted it, or a Degraded error naming the reason for rejection.
Result<std::string> evaluate_policy(const Policy& policy, const ImageRef& intended,
                                    const std::string& digest, const SignatureFetcher& fetch);

}  // namespace imageswitch
