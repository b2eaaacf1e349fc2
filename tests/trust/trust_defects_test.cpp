// Defects found by comparing with containers/image (issue 14, items 1–4) and the crash paths of
// issue 11: each case failed on the code before the fix.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base64.h"
#include "json_util.h"
#include "policy.h"
#include "registries_d.h"
#include "signature.h"
#include "test_keys.h"

using namespace imageswitch;

namespace {

const std::string kDigest = "sha256:" + std::string(64, 'd');

ImageRef ref(const std::string& s) {
  auto r = parse_image_ref(s);
  REQUIRE(r.ok());
  return *r;
}

// A policy trusting `pair` for everything with the signedIdentity JSON `identity` ("" = default).
Policy policy_for(const testkeys::KeyPair& pair, const std::string& identity) {
  auto p = parse_policy(R"({"default":[{"type":"sigstoreSigned","keyData":")" +
                            base64_encode(pair.public_pem()) + "\"" +
                            (identity.empty() ? "" : R"(,"signedIdentity":)" + identity) + "}]}",
                        "p.json");
  REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
  return *p;
}

Result<std::string> verdict(const Policy& p, const std::string& intended,
                            const std::string& payload, const testkeys::KeyPair& key) {
  CandidateSignature sig{payload, key.sign(payload), ""};
  return evaluate_policy(p, ref(intended), kDigest,
                         [sig]() -> Result<std::vector<CandidateSignature>> {
                           return std::vector<CandidateSignature>{sig};
                         });
}

std::string critical(const std::string& image) {
  return R"("critical":{"identity":{"docker-reference":"quay.io/a/b:v1"},"image":)" + image +
         R"(,"type":"cosign container image signature"})";
}

}  // namespace

TEST_CASE("1: cosign's repository-only identity needs matchRepository or exactRepository") {
  auto k = testkeys::generate("P-256");
  const std::string cosign_payload = testkeys::payload("quay.io/a/b", kDigest);
  const std::string by_digest = "quay.io/a/b@" + kDigest;
  const std::string mirror_by_digest = "mirror.io/a/b@" + kDigest;
  struct Row {
    std::string identity, intended;
    bool accepted;
  };
  const Row rows[] = {
      {"", "quay.io/a/b:v1", false},
      {"", by_digest, false},
      {R"({"type":"matchRepoDigestOrExact"})", by_digest, false},
      {R"({"type":"matchExact"})", by_digest, false},
      {R"({"type":"remapIdentity","prefix":"mirror.io/a","signedPrefix":"quay.io/a"})",
       mirror_by_digest, false},
      {R"({"type":"exactReference","dockerReference":"quay.io/a/b:v1"})", by_digest, false},
      {R"({"type":"matchRepository"})", by_digest, true},
      {R"({"type":"matchRepository"})", "quay.io/a/b:v1", true},
      {R"({"type":"exactRepository","dockerRepository":"quay.io/a/b"})", mirror_by_digest, true},
  };
  for (const Row& row : rows) {
    INFO(row.identity << " " << row.intended);
    auto v = verdict(policy_for(k, row.identity), row.intended, cosign_payload, k);
    CHECK(v.ok() == row.accepted);
    if (!v.ok()) CHECK(v.error().kind == ErrorKind::Degraded);
  }
}

TEST_CASE("2: a duplicate key anywhere in the signed payload is refused") {
  auto k = testkeys::generate("P-256");
  const std::string other = "sha256:" + std::string(64, 'e');
  const std::string dup_digest = R"({"docker-manifest-digest":")" + other +
                                 R"(","docker-manifest-digest":")" + kDigest + R"("})";
  const std::string plain_image = R"({"docker-manifest-digest":")" + kDigest + R"("})";
  const std::string cases[] = {
      "{" + critical(dup_digest) + R"(,"optional":null})",
      "{" + critical(R"({"docker-manifest-digest":")" + other + R"("})") + "," +
          critical(plain_image) + R"(,"optional":null})",
      "{" + critical(plain_image) + R"(,"optional":{"creator":"a","creator":"b"}})",
      "{" + critical(plain_image) + R"(,"optional":{"x":{"y":1,"y":2}}})",
      "{" + critical(plain_image) + R"(,"optional":null,"optional":null})",
  };
  auto p = policy_for(k, "");
  for (const std::string& payload : cases) {
    INFO(payload);
    auto parsed = parse_signature_payload(payload);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message.find("duplicate key") != std::string::npos);
    CHECK_FALSE(verdict(p, "quay.io/a/b:v1", payload, k).ok());
  }
  // the same payload without duplicates is accepted, so the refusal is the duplicate's doing
  CHECK(verdict(p, "quay.io/a/b:v1", "{" + critical(plain_image) + R"(,"optional":null})", k).ok());
  // containers/image requires "optional" and an integer timestamp
  CHECK_FALSE(parse_signature_payload("{" + critical(plain_image) + "}").ok());
  CHECK_FALSE(
      parse_signature_payload("{" + critical(plain_image) + R"(,"optional":{"timestamp":1.5}})")
          .ok());
}

TEST_CASE("3: a missing policy.json is a local file to fix (exit 2), like a broken one") {
  auto missing = load_policy("/nonexistent/imageswitch/policy.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::Usage);
  CHECK(missing.error().message.find("'/nonexistent/imageswitch/policy.json'") !=
        std::string::npos);
  auto dup = parse_policy(
      R"({"default":[{"type":"reject"}],"default":[{"type":"insecureAcceptAnything"}]})", "p.json");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().kind == ErrorKind::Usage);
  CHECK(dup.error().message.find("duplicate key 'default'") != std::string::npos);
}

TEST_CASE("4: registries.d settings are looked up one by one from the most specific scope") {
  RegistriesD d;
  REQUIRE(parse_registries_d_file("docker:\n  quay.io:\n    use-sigstore-attachments: true\n"
                                  "  quay.io/ns/repo:\n    lookaside: https://sigs.example.com\n",
                                  "a.yaml", d)
              .ok());
  CHECK(d.use_sigstore_attachments(ref("quay.io/ns/repo:1")));  // from quay.io
  CHECK(d.docker.at("quay.io/ns/repo").lookaside == "https://sigs.example.com");
  RegistriesD off;
  REQUIRE(parse_registries_d_file("default-docker:\n  use-sigstore-attachments: true\n"
                                  "docker:\n  quay.io/ns:\n    use-sigstore-attachments: false\n"
                                  "  quay.io/ns/repo:\n    lookaside: file:///x\n",
                                  "b.yaml", off)
              .ok());
  CHECK_FALSE(off.use_sigstore_attachments(ref("quay.io/ns/repo:1")));  // quay.io/ns sets false
  CHECK(off.use_sigstore_attachments(ref("quay.io/other/repo:1")));     // default-docker
}

TEST_CASE("issue 11: a YAML complex key or odd shape in registries.d is an error, not a crash") {
  const char* docs[] = {
      "docker:\n  ? [a, b]\n  : {use-sigstore-attachments: true}\n",
      "docker:\n  ? {a: 1}\n  : {use-sigstore-attachments: true}\n",
      "docker:\n  quay.io:\n    lookaside: [1, 2]\n",
      "default-docker: &a\n  use-sigstore-attachments: *a\n",
      "docker: [1, 2]\n",
      "{{{{",
  };
  for (const char* doc : docs) {
    INFO(doc);
    RegistriesD d;
    Result<void> r;
    CHECK_NOTHROW(r = parse_registries_d_file(doc, "x.yaml", d));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Usage);
    CHECK(r.error().message.rfind("Failed to parse registries.d file 'x.yaml': ", 0) == 0);
  }
}
