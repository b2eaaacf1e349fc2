// Sigstore (cosign) signatures: the `sha256-<hex>.sig` attachment manifest, the simple-signing
// payload (parsed strictly) and the signature check itself (ECDSA P-256/P-384, RSA PKCS#1 v1.5,
// Ed25519; SHA-256) with OpenSSL.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace imageswitch {

/// Media type of a cosign signature layer.
inline constexpr std::string_view kSimpleSigningType =
    "application/vnd.dev.cosign.simplesigning.v1+json";
/// Layer annotation holding the base64 signature.
inline constexpr std::string_view kSignatureAnnotation = "dev.cosignproject.cosign/signature";

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const;
};

/// A public key that signatures are checked against.
struct PublicKey {
  std::shared_ptr<EVP_PKEY> key;
  std::string description;  ///< e.g. "ECDSA P-256 key '/etc/pki/k.pub' (SHA256:ab12…)"
};

/// Parses a PEM "PUBLIC KEY" named `origin`; only ECDSA P-256/P-384, RSA (≥2048) and Ed25519.
Result<PublicKey> load_public_key(std::string_view pem, std::string_view origin);

/// Checks `signature` (raw bytes) over `payload` with `key`; Degraded error when it does not match.
Result<void> verify_signature(const PublicKey& key, std::string_view payload,
                              std::string_view signature);

/// The critical part of a signature payload.
struct SignaturePayload {
  std::string docker_reference;  ///< "critical.identity.docker-reference"
  std::string manifest_digest;   ///< "critical.image.docker-manifest-digest"
};

/// Parses a payload strictly: top level only critical/optional, critical exactly
/// identity/image/type, type exactly "cosign container image signature".
Result<SignaturePayload> parse_signature_payload(std::string_view json);

/// One simple-signing layer of an attachment manifest.
struct SignatureLayer {
  std::string digest;  ///< blob digest (the payload)
  long long size = 0;
  std::string signature;  ///< decoded signature bytes
};

/// The simple-signing layers of the attachment manifest `body` (other layers are ignored).
Result<std::vector<SignatureLayer>> signature_layers(std::string_view body);

/// The tag of the attachment for `digest`: "sha256-<hex>.sig".
std::string signature_tag(std::string_view digest);

}  // namespace imageswitch
