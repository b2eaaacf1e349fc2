#include "registry_image_trust.h"

#include "text.h"

namespace imageswitch {

/// At most this many signatures are read per image.
constexpr std::size_t kMaxSignatures = 64;

RegistryImageTrust::RegistryImageTrust(const Settings& settings, HttpOptions http)
    : settings_(settings), http_(http) {}

Result<void> RegistryImageTrust::load_registry_side() {
  if (client_) return {};
  auto auth = load_auth_file(settings_.auth_file);
  if (!auth) return auth.error();
  auto conf = load_registries_conf(settings_.registries_conf);
  if (!conf) return conf.error();
  conf_ = std::move(*conf);
  RegistryOptions opts{std::move(*auth), settings_.certs_d, settings_.architecture, http_};
  client_ = std::make_unique<RegistryClient>(std::move(opts));
  return {};
}

Result<void> RegistryImageTrust::load_policy_side() {
  if (policy_) return {};
  auto d = load_registries_d(settings_.registries_d);
  if (!d) return d.error();
  auto p = load_policy(settings_.policy_file);
  if (!p) return p.error();
  registries_d_ = std::move(*d);
  policy_ = std::move(*p);
  return {};
}

Result<ResolvedImage> RegistryImageTrust::resolve(const std::string& reference) {
  auto ref = parse_image_ref(reference);
  if (!ref) return ref.error();
  if (ref->tag.empty() && ref->digest.empty()) ref->tag = "latest";
  TRY(load_registry_side());
  auto eps = endpoints_for(conf_, *ref);
  if (!eps) return eps.error();
  const std::string want = ref->digest.empty() ? ref->tag : ref->digest;
  std::optional<Error> first_error;
  for (const Endpoint& ep : *eps) {
    auto digest = client_->resolve_digest(ep, want);
    if (!digest) {
      if (!first_error) first_error = digest.error();
      continue;
    }
    ResolvedImage out{ref->string(), ref->name(), *digest};
    contacted_[out.pinned()] = ep;
    return out;
  }
  if (!first_error)
    return make_error(ErrorKind::Usage, "Failed to resolve '" + ref->string() +
                                            "': registries.conf leaves no endpoint");
  return wrap_once("Failed to resolve '" + ref->string() + "'", *first_error);
}

Result<Endpoint> RegistryImageTrust::contacted_endpoint(const ImageRef& logical,
                                                        const std::string& digest) {
  if (auto it = contacted_.find(logical.name() + "@" + digest); it != contacted_.end())
    return it->second;
  ImageRef pinned = logical;
  pinned.tag.clear();
  pinned.digest = digest;
  auto eps = endpoints_for(conf_, pinned);
  if (!eps) return eps.error();
  std::optional<Error> first_error;
  for (const Endpoint& ep : *eps) {
    auto m = client_->head_manifest(ep, digest);
    if (m && (m->empty() || *m == digest)) return ep;
    if (first_error) continue;
    // A HEAD that succeeds with another digest is no error value to read: describe it.
    first_error =
        m ? make_error(ErrorKind::Degraded, "Failed to find '" + ep.repository + "@" + digest +
                                                "': the registry answers with digest '" +
                                                printable(*m, 80) + "'")
          : m.error();
  }
  if (!first_error)
    return make_error(ErrorKind::Usage, "Failed to find a registry for '" + logical.name() +
                                            "': registries.conf leaves no endpoint");
  return *first_error;
}

Result<std::vector<CandidateSignature>> RegistryImageTrust::fetch_signatures(
    const ImageRef& logical, const std::string& digest) {
  if (!registries_d_.use_sigstore_attachments(logical))
    return make_error(
        ErrorKind::Degraded,
        "the policy requires sigstore signatures but registries.d '" + settings_.registries_d +
            "' does not enable use-sigstore-attachments for '" + logical.name() + "'");
  auto ep = contacted_endpoint(logical, digest);
  if (!ep) return ep.error();
  auto m = client_->find_manifest(*ep, signature_tag(digest));
  if (!m) return m.error();
  std::vector<CandidateSignature> out;
  if (!*m) return out;  // no attachment: unsigned
  auto layers = signature_layers((*m)->body);
  if (!layers) return layers.error();
  if (layers->size() > kMaxSignatures)
    return make_error(ErrorKind::Degraded, "Failed to read signatures of '" + ep->repository + "@" +
                                               digest + "': more than " +
                                               std::to_string(kMaxSignatures) + " signatures");
  for (const SignatureLayer& l : *layers) {
    CandidateSignature c;
    if (l.signature.empty()) {
      c.problem = "layer " + l.digest.substr(0, 19) + "… has no valid signature annotation";
    } else if (auto blob = client_->get_blob(*ep, l.digest, 1 << 20); !blob) {
      // Network trouble is no verdict on the signature: retry the whole check later.
      if (blob.error().kind == ErrorKind::Temporary) return blob.error();
      c.problem = blob.error().message;
    } else {
      c.payload = std::move(*blob);
      c.signature = l.signature;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::string> RegistryImageTrust::verify(const ResolvedImage& image) {
  auto intended = parse_image_ref(image.reference);
  if (!intended) return intended.error();
  if (!is_sha256_digest(image.digest))
    return make_error(ErrorKind::Degraded, "Failed to verify '" + image.reference + "': digest '" +
                                               image.digest + "' is not a sha256 digest");
  if (intended->name() != image.repository)
    return make_error(ErrorKind::Degraded, "Failed to verify '" + image.reference +
                                               "': repository '" + image.repository + "' differs");
  TRY(load_registry_side());
  TRY(load_policy_side());
  return evaluate_policy(*policy_, *intended, image.digest,
                         [&] { return fetch_signatures(*intended, image.digest); });
}

Result<CheckReport> check_image(ImageTrust& trust, const std::string& reference) {
  auto resolved = trust.resolve(reference);
  if (!resolved) return resolved.error();
  auto accepted = trust.verify(*resolved);
  if (!accepted) return accepted.error();
  return CheckReport{resolved->pinned(), *accepted};
}

}  // namespace imageswitch
