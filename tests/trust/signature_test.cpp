#include <doctest/doctest.h>

#include "signature.h"
#include "test_keys.h"

using namespace imageswitch;

namespace {
const std::string kDigest = "sha256:" + std::string(64, 'c');
}

TEST_CASE("each supported key type verifies its own signature and rejects tampering") {
  for (std::string kind : {"P-256", "P-384", "RSA-2048", "Ed25519"}) {
    INFO(kind);
    auto pair = testkeys::generate(kind);
    auto key = load_public_key(pair.public_pem(), "'k.pub'");
    REQUIRE_MESSAGE(key.ok(), (key.ok() ? "" : key.error().message));
    CHECK(key->description.find("'k.pub'") != std::string::npos);
    std::string p = testkeys::payload("localhost:5000/a", kDigest);
    std::string sig = pair.sign(p);
    CHECK(verify_signature(*key, p, sig).ok());
    std::string tampered = p;
    tampered[10] ^= 1;
    CHECK_FALSE(verify_signature(*key, tampered, sig).ok());
    std::string badsig = sig;
    badsig[badsig.size() / 2] ^= 1;
    CHECK_FALSE(verify_signature(*key, p, badsig).ok());
    auto other = load_public_key(testkeys::generate(kind).public_pem(), "'other'");
    REQUIRE(other.ok());
    auto wrong = verify_signature(*other, p, sig);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("'other'") != std::string::npos);
  }
}

TEST_CASE("key descriptions and unsupported keys") {
  CHECK(load_public_key(testkeys::generate("P-256").public_pem(), "x")
            ->description.rfind("ECDSA P-256 key x (SHA256:", 0) == 0);
  CHECK(load_public_key(testkeys::generate("Ed25519").public_pem(), "x")
            ->description.rfind("Ed25519", 0) == 0);
  CHECK_FALSE(load_public_key(testkeys::generate("P-521").public_pem(), "x").ok());
  CHECK_FALSE(load_public_key(testkeys::generate("RSA-1024").public_pem(), "x").ok());
  CHECK_FALSE(
      load_public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "x").ok());
  CHECK_FALSE(load_public_key("garbage", "x").ok());
}

TEST_CASE("payload parsing is strict") {
  auto p = parse_signature_payload(testkeys::payload("quay.io/a/b:v1", kDigest));
  REQUIRE(p.ok());
  CHECK(p->docker_reference == "quay.io/a/b:v1");
  CHECK(p->manifest_digest == kDigest);
  CHECK(parse_signature_payload(
            testkeys::payload("quay.io/a/b", kDigest, R"({"creator":"x","timestamp":1})"))
            .ok());
  auto bad = [](const std::string& s) { return !parse_signature_payload(s).ok(); };
  CHECK(bad("not json"));
  CHECK(bad("[]"));
  CHECK(bad(R"({"optional":null})"));
  CHECK(bad(
      R"({"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":")" +
      kDigest + R"("},"type":"cosign container image signature","extra":1}})"));
  CHECK(bad(
      R"({"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":")" +
      kDigest + R"("},"type":"Cosign container image signature"}})"));
  CHECK(bad(
      R"({"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":")" +
      kDigest + R"("}}})"));
  CHECK(bad(
      R"({"critical":{"identity":{"docker-reference":"a","x":1},"image":{"docker-manifest-digest":")" +
      kDigest + R"("},"type":"cosign container image signature"}})"));
  CHECK(bad(testkeys::payload("a", "sha256:1234")));
  CHECK(bad(testkeys::payload("a", kDigest, "5")));
  CHECK(bad(testkeys::payload("a", kDigest) + "trailing"));
  std::string extra_top = testkeys::payload("a", kDigest);
  extra_top.insert(1, R"("other":1,)");
  CHECK(bad(extra_top));
}

TEST_CASE("attachment manifest layers") {
  std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":")" +
                     kDigest + R"("},
    "layers":[
      {"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":10,"digest":")" +
                     kDigest + R"(","annotations":{"dev.cosignproject.cosign/signature":"AQID"}},
      {"mediaType":"application/octet-stream","size":1,"digest":")" +
                     kDigest + R"("},
      {"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":10,"digest":")" +
                     kDigest + R"("}]})";
  auto l = signature_layers(body);
  REQUIRE(l.ok());
  REQUIRE(l->size() == 2);
  CHECK((*l)[0].signature == std::string("\x01\x02\x03"));
  CHECK((*l)[1].signature.empty());
  CHECK_FALSE(signature_layers("garbage").ok());
  CHECK(signature_tag(kDigest) == "sha256-" + std::string(64, 'c') + ".sig");
}
