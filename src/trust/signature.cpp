#include "signature.h"

#include "json_util.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "auth_file.h"
#include "image_ref.h"
#include "registry.h"
#include "text.h"

namespace imageswitch {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

Error payload_error(const std::string& why) {
  return make_error(ErrorKind::Degraded, "Failed to parse signature payload: " + why);
}

// Requires `j` to be an object with exactly `keys`.
bool exact_keys(const nlohmann::json& j, std::initializer_list<std::string_view> keys) {
  if (!j.is_object() || j.size() != keys.size()) return false;
  for (std::string_view k : keys)
    if (!j.contains(std::string(k))) return false;
  return true;
}

// Returns the key type name, or "" when unsupported.
std::string key_kind(EVP_PKEY* k) {
  switch (EVP_PKEY_get_base_id(k)) {
    case EVP_PKEY_ED25519:
      return "Ed25519";
    case EVP_PKEY_RSA:
      return EVP_PKEY_get_bits(k) >= 2048 ? "RSA-" + std::to_string(EVP_PKEY_get_bits(k)) : "";
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t len = 0;
      if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len))
        return "";
      std::string g = group;
      if (g == "prime256v1" || g == "P-256") return "ECDSA P-256";
      if (g == "secp384r1" || g == "P-384") return "ECDSA P-384";
      return "";
    }
    default:
      return "";
  }
}

}  // namespace

void PkeyDeleter::operator()(EVP_PKEY* k) const {
  EVP_PKEY_free(k);
}

Result<PublicKey> load_public_key(std::string_view pem, std::string_view origin) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return make_error(ErrorKind::Usage, "Failed to allocate a BIO");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!raw)
    return make_error(ErrorKind::Usage, "Failed to load public key " + std::string(origin) +
                                            ": not a PEM 'PUBLIC KEY'");
  std::shared_ptr<EVP_PKEY> key(raw, PkeyDeleter{});
  std::string kind = key_kind(raw);
  if (kind.empty())
    return make_error(ErrorKind::Usage,
                      "Failed to load public key " + std::string(origin) +
                          ": unsupported key type (use ECDSA P-256/P-384, RSA >= 2048 or Ed25519)");
  unsigned char* der = nullptr;
  int der_len = i2d_PUBKEY(raw, &der);
  std::string fp = der_len > 0 ? sha256_digest(std::string_view(reinterpret_cast<char*>(der),
                                                                static_cast<std::size_t>(der_len)))
                               : "";
  OPENSSL_free(der);
  return PublicKey{key,
                   kind + " key " + std::string(origin) + " (SHA256:" + fp.substr(7, 16) + ")"};
}

Result<void> verify_signature(const PublicKey& key, std::string_view payload,
                              std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) return make_error(ErrorKind::Temporary, "Failed to allocate a digest context");
  bool ed = EVP_PKEY_get_base_id(key.key.get()) == EVP_PKEY_ED25519;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, ed ? nullptr : EVP_sha256(), nullptr,
                           key.key.get()) != 1)
    return make_error(ErrorKind::Degraded,
                      "Failed to verify signature: cannot use " + key.description);
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  if (rc != 1)
    return make_error(ErrorKind::Degraded, "signature does not match " + key.description);
  return {};
}

Result<SignaturePayload> parse_signature_payload(std::string_view text) {
  // As containers/image signature/internal/sigstore_payload.go: exactly critical + optional,
  // no duplicate key anywhere (strict parser), optional null or an object whose creator is a
  // string and timestamp an integer.
  auto parsed = parse_json_strict(text, "Failed to parse signature payload", {1 << 20, 32});
  if (!parsed) return parsed.error();
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return payload_error("not a JSON object");
  for (auto& [k, v] : j.items())
    if (k != "critical" && k != "optional")
      return payload_error("unknown top-level key '" + printable(k, 128) + "'");
  if (!j.contains("critical")) return payload_error("no 'critical' object");
  if (!j.contains("optional")) return payload_error("no 'optional' member");
  const auto& opt = j["optional"];
  if (!opt.is_object() && !opt.is_null())
    return payload_error("'optional' is neither an object nor null");
  if (opt.is_object() && opt.contains("creator") && !opt["creator"].is_string())
    return payload_error("'optional.creator' is not a string");
  if (opt.is_object() && opt.contains("timestamp") && !opt["timestamp"].is_number_integer() &&
      !opt["timestamp"].is_number_unsigned())
    return payload_error("'optional.timestamp' is not an integer");
  const auto& c = j["critical"];
  if (!exact_keys(c, {"identity", "image", "type"}))
    return payload_error("'critical' must have exactly 'identity', 'image' and 'type'");
  if (!c["type"].is_string() || c["type"].get<std::string>() != "cosign container image signature")
    return payload_error("'critical.type' is not 'cosign container image signature'");
  if (!exact_keys(c["image"], {"docker-manifest-digest"}) ||
      !c["image"]["docker-manifest-digest"].is_string())
    return payload_error("'critical.image' must have exactly a string 'docker-manifest-digest'");
  if (!exact_keys(c["identity"], {"docker-reference"}) ||
      !c["identity"]["docker-reference"].is_string())
    return payload_error("'critical.identity' must have exactly a string 'docker-reference'");
  SignaturePayload p{c["identity"]["docker-reference"].get<std::string>(),
                     c["image"]["docker-manifest-digest"].get<std::string>()};
  if (!is_sha256_digest(p.manifest_digest))
    return payload_error("'docker-manifest-digest' '" + printable(p.manifest_digest, 128) +
                         "' is not a sha256 digest");
  return p;
}

Result<std::vector<SignatureLayer>> signature_layers(std::string_view body) {
  auto parsed = parse_json_strict(body, "Failed to parse signature manifest");
  if (!parsed) return parsed.error();
  const nlohmann::json& j = *parsed;
  auto bad = [](std::string why) {
    return make_error(ErrorKind::Degraded, "Failed to parse signature manifest: " + why);
  };
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("layers") || !j["layers"].is_array()) return bad("no 'layers' array");
  std::vector<SignatureLayer> out;
  for (const auto& l : j["layers"]) {
    if (json_string(l, "mediaType") != kSimpleSigningType) continue;
    SignatureLayer s;
    s.digest = json_string(l, "digest");
    if (!is_sha256_digest(s.digest))
      return bad("layer digest '" + printable(s.digest, 128) + "' is not sha256");
    if (l.contains("size") && l["size"].is_number_integer()) s.size = l["size"].get<long long>();
    std::string b64;
    if (l.contains("annotations") && l["annotations"].is_object() &&
        l["annotations"].contains(std::string(kSignatureAnnotation)) &&
        l["annotations"][std::string(kSignatureAnnotation)].is_string())
      b64 = l["annotations"][std::string(kSignatureAnnotation)].get<std::string>();
    auto sig = base64_decode(b64);
    if (b64.empty() || !sig || sig->empty()) {
      s.signature.clear();  // reported when checked
    } else {
      s.signature = std::move(*sig);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string signature_tag(std::string_view digest) {
  std::string t(digest);
  if (auto colon = t.find(':'); colon != std::string::npos) t[colon] = '-';
  return t + ".sig";
}

}  // namespace imageswitch
