// Test helper: fresh key pairs made with the OpenSSL API at test time, their public PEM, and
// signatures over payloads (never hard-coded).
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace testkeys {

struct KeyPair {
  std::shared_ptr<EVP_PKEY> key;
  /// The public key as "-----BEGIN PUBLIC KEY-----" PEM.
  std::string public_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PUBKEY(bio.get(), key.get());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
  }
  /// Signature over `payload` (SHA-256; Ed25519 over the raw payload).
  std::string sign(const std::string& payload) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    bool ed = EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_ED25519;
    if (EVP_DigestSignInit(ctx.get(), nullptr, ed ? nullptr : EVP_sha256(), nullptr, key.get()) !=
        1)
      throw std::runtime_error("sign init");
    std::size_t len = 0;
    auto p = reinterpret_cast<const unsigned char*>(payload.data());
    if (EVP_DigestSign(ctx.get(), nullptr, &len, p, payload.size()) != 1)
      throw std::runtime_error("sign size");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, p,
                       payload.size()) != 1)
      throw std::runtime_error("sign");
    sig.resize(len);
    return sig;
  }
};

/// kind: "P-256", "P-384", "P-521", "RSA-2048", "RSA-1024", "Ed25519".
inline KeyPair generate(const std::string& kind) {
  EVP_PKEY* k = nullptr;
  if (kind == "Ed25519")
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  else if (kind == "RSA-2048")
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", (size_t)2048);
  else if (kind == "RSA-1024")
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", (size_t)1024);
  else
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", kind.c_str());
  if (!k) throw std::runtime_error("keygen " + kind);
  return KeyPair{std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free)};
}

/// A cosign-style payload.
inline std::string payload(const std::string& reference, const std::string& digest,
                           const std::string& optional = "null") {
  return R"({"critical":{"identity":{"docker-reference":")" + reference +
         R"("},"image":{"docker-manifest-digest":")" + digest +
         R"("},"type":"cosign container image signature"},"optional":)" + optional + "}";
}

}  // namespace testkeys
