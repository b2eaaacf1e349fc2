// Evaluation half of policy.h: signedIdentity matching and requirement checks.
#include <optional>

#include "policy.h"
#include "text.h"

namespace imageswitch {
namespace {

using IdType = SignedIdentity::Type;

// The reference as containers/image sees it: a reference with a digest counts as digested.
ImageRef canonical(ImageRef r) {
  if (!r.digest.empty()) r.tag.clear();
  return r;
}

bool name_only(const ImageRef& r) {
  return r.tag.empty() && r.digest.empty();
}

// containers/image signature/policy_reference_match.go matchRepoDigestOrExactReferenceValues: a
// signed identity without tag or digest (what cosign writes) never matches; by digest the
// repository must match, by tag the whole reference.
bool repo_digest_or_exact(const ImageRef& intended, const ImageRef& signed_ref) {
  if (name_only(signed_ref)) return false;
  if (!intended.digest.empty()) return signed_ref.name() == intended.name();
  if (!intended.tag.empty()) return canonical(signed_ref).string() == intended.string();
  return false;
}

// remapIdentity's prefix matches the repository name only: equal, or followed by '/'
// (prmRemapIdentity.refMatchesPrefix).
bool prefix_matches(const std::string& name, const std::string& prefix) {
  if (name.rfind(prefix, 0) != 0) return false;
  return name.size() == prefix.size() || name[prefix.size()] == '/';
}

std::string short_digest(const std::string& d) {
  return d.substr(0, 19);
}

}  // namespace

bool identity_matches(const SignedIdentity& id, const ImageRef& intended_in,
                      const ImageRef& signed_ref) {
  ImageRef intended = canonical(intended_in);
  switch (id.type) {
    case IdType::MatchRepoDigestOrExact:
      return repo_digest_or_exact(intended, signed_ref);
    case IdType::MatchExact:
      if (name_only(intended) || name_only(signed_ref)) return false;
      return canonical(signed_ref).string() == intended.string();
    case IdType::MatchRepository:
      return signed_ref.name() == intended.name();
    case IdType::ExactReference:
      if (name_only(signed_ref)) return false;
      return canonical(signed_ref).string() == canonical(id.reference).string();
    case IdType::ExactRepository:
      return signed_ref.name() == id.reference.name();
    case IdType::RemapIdentity: {
      if (!prefix_matches(intended.name(), id.prefix))
        return repo_digest_or_exact(intended, signed_ref);
      std::string s = intended.string();
      auto remapped = parse_image_ref(id.signed_prefix + s.substr(id.prefix.size()));
      if (!remapped) return false;
      return repo_digest_or_exact(canonical(*remapped), signed_ref);
    }
  }
  return false;
}

namespace {

// Checks one signature against a sigstoreSigned requirement; the key description or why not.
Result<std::string> check_one(const Requirement& req, const ImageRef& intended,
                              const std::string& digest, const CandidateSignature& sig) {
  if (!sig.problem.empty()) return make_error(ErrorKind::Degraded, sig.problem);
  const PublicKey* by = nullptr;
  std::string why;
  for (const PublicKey& k : req.keys) {
    auto v = verify_signature(k, sig.payload, sig.signature);
    if (v) {
      by = &k;
      break;
    }
    why = v.error().message;
  }
  if (!by)
    return make_error(ErrorKind::Degraded, req.keys.size() == 1
                                               ? why
                                               : "signature matches none of the " +
                                                     std::to_string(req.keys.size()) + " keys");
  auto payload = parse_signature_payload(sig.payload);
  if (!payload) return payload.error();
  const std::string signed_identity = printable(payload->docker_reference, 256);
  if (payload->manifest_digest != digest)
    return make_error(ErrorKind::Degraded,
                      "signature is for digest " + payload->manifest_digest + ", not " + digest);
  auto signed_ref = parse_image_ref(payload->docker_reference);
  if (!signed_ref)
    return make_error(ErrorKind::Degraded, "signed identity '" + signed_identity + "' is invalid");
  if (!identity_matches(req.identity, intended, *signed_ref))
    return make_error(ErrorKind::Degraded,
                      "signed identity '" + signed_identity + "' does not match '" +
                          intended.string() + "' under the policy's signedIdentity" +
                          (name_only(*signed_ref) ? " (a repository-only identity, as cosign "
                                                    "writes, needs signedIdentity "
                                                    "matchRepository or exactRepository)"
                                                  : ""));
  return "sigstore signature by " + by->description;
}

}  // namespace

Result<std::string> evaluate_policy(const Policy& policy, const ImageRef& intended,
                                    const std::string& digest, const SignatureFetcher& fetch) {
  std::string scope;
  const auto& reqs = policy.requirements_for(intended, &scope);
  auto reject = [&](const std::string& why) {
    return make_error(ErrorKind::Degraded, "Failed to verify '" + intended.string() + "' (" +
                                               short_digest(digest) + "…): " + why +
                                               " (policy scope '" + scope + "')");
  };
  std::optional<Result<std::vector<CandidateSignature>>> sigs;
  std::string accepted;
  for (const Requirement& r : reqs) {
    switch (r.type) {
      case Requirement::Type::Reject:
        return reject("the policy rejects this image");
      case Requirement::Type::Unsupported:
        return reject(r.unsupported);
      case Requirement::Type::InsecureAcceptAnything:
        if (accepted.empty()) accepted = "insecureAcceptAnything";
        break;
      case Requirement::Type::SigstoreSigned: {
        if (!sigs) sigs = fetch();
        if (!*sigs) return wrap_once("Failed to verify '" + intended.string() + "'", sigs->error());
        if ((*sigs)->empty()) return reject("no sigstore signatures found");
        std::string reasons;
        std::optional<std::string> ok;
        for (std::size_t i = 0; i < (*sigs)->size() && !ok; ++i) {
          auto one = check_one(r, intended, digest, (**sigs)[i]);
          if (one)
            ok = *one;
          else
            reasons += (reasons.empty() ? "" : "; ") + std::string("signature ") +
                       std::to_string(i + 1) + ": " + one.error().message;
        }
        if (!ok) return reject("no valid signature: " + reasons);
        if (accepted.empty() || accepted == "insecureAcceptAnything") accepted = *ok;
        break;
      }
    }
  }
  return accepted;
}

}  // namespace imageswitch
