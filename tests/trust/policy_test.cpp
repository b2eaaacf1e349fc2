#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "auth_file.h"
#include "policy.h"
#include "temp_dir.h"
#include "test_keys.h"

using imageswitch::testing::TempDir;

using namespace imageswitch;
using Id = SignedIdentity::Type;

namespace {

const std::string kDigest = "sha256:" + std::string(64, 'd');
const std::string kOther = "sha256:" + std::string(64, 'e');

ImageRef ref(const std::string& s) {
  auto r = parse_image_ref(s);
  REQUIRE(r.ok());
  return *r;
}

bool match(Id type, const std::string& intended, const std::string& signed_ref,
           const std::string& a = "", const std::string& b = "") {
  SignedIdentity id;
  id.type = type;
  if (type == Id::ExactReference || type == Id::ExactRepository) id.reference = ref(a);
  id.prefix = a;
  id.signed_prefix = b;
  return identity_matches(id, ref(intended), ref(signed_ref));
}

SignatureFetcher fetcher(std::vector<CandidateSignature> sigs, int* calls = nullptr) {
  return [sigs, calls]() -> Result<std::vector<CandidateSignature>> {
    if (calls) ++*calls;
    return sigs;
  };
}

CandidateSignature signed_by(const testkeys::KeyPair& k, const std::string& reference,
                             const std::string& digest) {
  std::string p = testkeys::payload(reference, digest);
  return CandidateSignature{p, k.sign(p), ""};
}

}  // namespace

TEST_CASE("signedIdentity types") {
  const std::string D = "@" + kDigest;
  // matchRepoDigestOrExact: digest → repository match; tag → exact; a repository-only identity
  // (what cosign writes) never matches (containers/image policy_reference_match.go)
  CHECK_FALSE(match(Id::MatchRepoDigestOrExact, "quay.io/a/b" + D, "quay.io/a/b"));
  CHECK(match(Id::MatchRepoDigestOrExact, "quay.io/a/b" + D, "quay.io/a/b:v9"));
  CHECK_FALSE(match(Id::MatchRepoDigestOrExact, "quay.io/a/b" + D, "quay.io/a/c"));
  CHECK(match(Id::MatchRepoDigestOrExact, "quay.io/a/b:v1", "quay.io/a/b:v1"));
  CHECK_FALSE(match(Id::MatchRepoDigestOrExact, "quay.io/a/b:v1", "quay.io/a/b"));
  CHECK_FALSE(match(Id::MatchRepoDigestOrExact, "quay.io/a/b:v1", "quay.io/a/b:v2"));
  CHECK(match(Id::MatchRepoDigestOrExact, "busybox:1", "docker.io/library/busybox:1"));
  // matchExact
  CHECK(match(Id::MatchExact, "quay.io/a/b:v1", "quay.io/a/b:v1"));
  CHECK_FALSE(match(Id::MatchExact, "quay.io/a/b" + D, "quay.io/a/b"));
  CHECK(match(Id::MatchExact, "quay.io/a/b" + D, "quay.io/a/b" + D));
  // matchRepository
  CHECK(match(Id::MatchRepository, "quay.io/a/b:v1", "quay.io/a/b"));
  CHECK(match(Id::MatchRepository, "quay.io/a/b:v1", "quay.io/a/b:v7"));
  CHECK_FALSE(match(Id::MatchRepository, "quay.io/a/b:v1", "quay.io/a/bb"));
  // exactReference / exactRepository
  CHECK(match(Id::ExactReference, "mirror.io/x:1", "quay.io/a/b:v1", "quay.io/a/b:v1"));
  CHECK_FALSE(match(Id::ExactReference, "mirror.io/x:1", "quay.io/a/b:v2", "quay.io/a/b:v1"));
  CHECK(match(Id::ExactRepository, "mirror.io/x:1", "quay.io/a/b:v2", "quay.io/a/b"));
  CHECK_FALSE(match(Id::ExactRepository, "mirror.io/x:1", "quay.io/a/c", "quay.io/a/b"));
  // remapIdentity
  CHECK(match(Id::RemapIdentity, "mirror.io/ocp/rel:1", "quay.io/ocp/rel:1", "mirror.io/ocp",
              "quay.io/ocp"));
  CHECK_FALSE(match(Id::RemapIdentity, "mirror.io/ocp/rel:1", "mirror.io/ocp/rel:2",
                    "mirror.io/ocp", "quay.io/ocp"));
  CHECK_FALSE(match(Id::RemapIdentity, "mirror.io/ocp/rel" + D, "quay.io/ocp/rel", "mirror.io/ocp",
                    "quay.io/ocp"));
  CHECK(match(Id::RemapIdentity, "mirror.io/ocp/rel" + D, "quay.io/ocp/rel:4.18", "mirror.io/ocp",
              "quay.io/ocp"));
  // the prefix matches the repository name only, at a '/' boundary
  CHECK(
      match(Id::RemapIdentity, "mirror.io/ocp:1", "quay.io/ocp:1", "mirror.io/ocp", "quay.io/ocp"));
  CHECK_FALSE(match(Id::RemapIdentity, "mirror.io/ocp:1", "quay.io/ocp:1", "mirror.io/ocp:1",
                    "quay.io/ocp:1"));
  // exactReference, matchExact: a repository-only signed identity never matches
  CHECK_FALSE(match(Id::MatchExact, "quay.io/a/b:v1", "quay.io/a/b"));
  CHECK(match(Id::ExactRepository, "mirror.io/x" + D, "quay.io/a/b", "quay.io/a/b"));
  CHECK(match(Id::MatchRepository, "quay.io/a/b" + D, "quay.io/a/b"));
  CHECK(match(Id::RemapIdentity, "other.io/x:1", "other.io/x:1", "mirror.io/ocp", "quay.io/ocp"));
  CHECK_FALSE(match(Id::RemapIdentity, "mirror.io/ocpx/r:1", "quay.io/ocpx/r:1", "mirror.io/ocp",
                    "quay.io/ocp"));
}

TEST_CASE("policy parsing") {
  TempDir t;
  auto pair = testkeys::generate("P-256");
  std::string key = t.write("k.pub", pair.public_pem());
  auto p = parse_policy(R"({"default":[{"type":"reject"}],"transports":{"docker":{
      "quay.io":[{"type":"insecureAcceptAnything"}],
      "quay.io/ns":[{"type":"sigstoreSigned","keyPath":")" +
                            key + R"(",
                     "signedIdentity":{"type":"matchRepository"}}],
      "quay.io/ns/repo:pinned":[{"type":"reject"}],
      "quay.io/ns/repo":[{"type":"sigstoreSigned","keyDatas":[")" +
                            base64_encode(pair.public_pem()) + R"("]}],
      "*.example.com":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/x"}]}}})",
                        "p.json");
  REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
  std::string scope;
  p->requirements_for(ref("quay.io/ns/repo:1"), &scope);
  CHECK(scope == "quay.io/ns/repo");
  CHECK(p->requirements_for(ref("quay.io/ns/repo:pinned"), &scope)[0].type ==
        Requirement::Type::Reject);
  CHECK(scope == "quay.io/ns/repo:pinned");
  CHECK(p->requirements_for(ref("quay.io/ns/repo:1"), nullptr)[0].keys.size() == 1);
  p->requirements_for(ref("quay.io/ns/other:1"), &scope);
  CHECK(scope == "quay.io/ns");
  p->requirements_for(ref("quay.io/x/y"), &scope);
  CHECK(scope == "quay.io");
  p->requirements_for(ref("reg.example.com:5000/a"), &scope);
  CHECK(scope == "*.example.com");
  p->requirements_for(ref("docker.io/a/b"), &scope);
  CHECK(scope == "default");
  auto bad = [&](const std::string& text, const std::string& needle) {
    auto r = parse_policy(text, "p.json");
    INFO(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(needle) != std::string::npos);
  };
  bad("{}", "default");
  bad(R"({"default":[]})", "non-empty");
  bad(R"({"default":[{"type":"accept"}]})", "unknown requirement type");
  bad(R"({"default":[{"type":"reject","x":1}]})", "unknown field 'x'");
  bad(R"({"default":[{"type":"sigstoreSigned"}]})", "exactly one");
  bad(R"({"default":[{"type":"sigstoreSigned","keyPath":")" + key + R"(","keyData":"AA=="}]})",
      "exactly one");
  bad(R"({"default":[{"type":"sigstoreSigned","keyPath":"/nonexistent.pub"}]})", "cannot read");
  bad(R"({"default":[{"type":"sigstoreSigned","keyPath":")" + key +
          R"(","signedIdentity":{"type":"exactReference","dockerReference":"quay.io/a"}}]})",
      "tag or digest");
  bad(R"({"default":[{"type":"sigstoreSigned","keyPath":")" + key +
          R"(","signedIdentity":{"type":"matchSomething"}}]})",
      "unknown signedIdentity");
}

TEST_CASE("policy evaluation") {
  TempDir t;
  auto k1 = testkeys::generate("P-256");
  auto k2 = testkeys::generate("Ed25519");
  std::string key1 = t.write("k1.pub", k1.public_pem());
  std::string key2 = t.write("k2.pub", k2.public_pem());
  auto policy = parse_policy(R"({"default":[{"type":"reject"}],"transports":{"docker":{
      "localhost:5000/open":[{"type":"insecureAcceptAnything"}],
      "localhost:5000/signed":[{"type":"sigstoreSigned","keyPaths":[")" +
                                 key1 + R"(",")" + key2 +
                                 R"("]}],
      "localhost:5000/cosign":[{"type":"sigstoreSigned","keyPath":")" +
                                 key1 +
                                 R"(","signedIdentity":{"type":"matchRepository"}}],
      "localhost:5000/fulcio":[{"type":"sigstoreSigned","fulcio":{"caPath":"/x"}}],
      "localhost:5000/gpg":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/x"}],
      "localhost:5000/both":[{"type":"insecureAcceptAnything"},{"type":"reject"}]}}})",
                             "p.json");
  REQUIRE_MESSAGE(policy.ok(), (policy.ok() ? "" : policy.error().message));
  auto eval = [&](const std::string& r, const std::string& digest, SignatureFetcher f) {
    return evaluate_policy(*policy, ref(r), digest, f);
  };
  int calls = 0;
  auto open = eval("localhost:5000/open:1", kDigest, fetcher({}, &calls));
  REQUIRE(open.ok());
  CHECK(*open == "insecureAcceptAnything");
  CHECK(calls == 0);  // no signatures read when none are required
  auto rejected = eval("localhost:5000/else:1", kDigest, fetcher({}));
  REQUIRE_FALSE(rejected.ok());
  CHECK(rejected.error().kind == ErrorKind::Degraded);
  CHECK(rejected.error().message.find("rejects") != std::string::npos);
  CHECK(rejected.error().message.find("'default'") != std::string::npos);
  CHECK_FALSE(eval("localhost:5000/both:1", kDigest, fetcher({})).ok());
  for (const char* unsupported : {"localhost:5000/fulcio:1", "localhost:5000/gpg:1"}) {
    auto r = eval(unsupported, kDigest, fetcher({signed_by(k1, unsupported, kDigest)}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("not supported by imageswitch") != std::string::npos);
  }
  // signed by the second key of keyPaths, exact tag identity
  auto ok = eval("localhost:5000/signed:1", kDigest,
                 fetcher({signed_by(k2, "localhost:5000/signed:1", kDigest)}));
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
  CHECK(ok->find("Ed25519 key '" + key2 + "'") != std::string::npos);
  // unsigned
  auto none = eval("localhost:5000/signed:1", kDigest, fetcher({}));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("no sigstore signatures") != std::string::npos);
  // wrong key
  auto k3 = testkeys::generate("P-256");
  auto wrong = eval("localhost:5000/signed:1", kDigest,
                    fetcher({signed_by(k3, "localhost:5000/signed:1", kDigest)}));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find("matches none of the 2 keys") != std::string::npos);
  // signature for another digest
  auto moved = eval("localhost:5000/signed:1", kDigest,
                    fetcher({signed_by(k1, "localhost:5000/signed:1", kOther)}));
  REQUIRE_FALSE(moved.ok());
  CHECK(moved.error().message.find("not " + kDigest) != std::string::npos);
  // repository-only identity under the default signedIdentity, pulled by tag
  auto repo_only = eval("localhost:5000/signed:1", kDigest,
                        fetcher({signed_by(k1, "localhost:5000/signed", kDigest)}));
  REQUIRE_FALSE(repo_only.ok());
  CHECK(repo_only.error().message.find("does not match") != std::string::npos);
  // … and by digest too (containers/image: IsNameOnly(signature) → no match)
  auto by_digest = eval("localhost:5000/signed@" + kDigest, kDigest,
                        fetcher({signed_by(k1, "localhost:5000/signed", kDigest)}));
  REQUIRE_FALSE(by_digest.ok());
  CHECK(by_digest.error().message.find("matchRepository or exactRepository") != std::string::npos);
  // matchRepository accepts cosign's repository-only identity; any one valid signature suffices
  auto cos = eval("localhost:5000/cosign:1", kDigest,
                  fetcher({signed_by(k3, "localhost:5000/cosign", kDigest),
                           CandidateSignature{"", "", "blob digest differs"},
                           signed_by(k1, "localhost:5000/cosign", kDigest)}));
  REQUIRE_MESSAGE(cos.ok(), (cos.ok() ? "" : cos.error().message));
  CHECK(cos->find("ECDSA P-256 key '" + key1 + "'") != std::string::npos);
  // a failing fetch is reported as such
  auto broken =
      eval("localhost:5000/cosign:1", kDigest, []() -> Result<std::vector<CandidateSignature>> {
        return make_error(ErrorKind::Temporary, "boom");
      });
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().kind == ErrorKind::Temporary);
}
