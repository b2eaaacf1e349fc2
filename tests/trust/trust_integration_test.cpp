// Resolve + verify against Debian's real docker-registry (anonymous, htpasswd, TLS with a test CA)
// with images and signatures pushed by tests/fixtures/registry_fixture.py.
#include <doctest/doctest.h>

#include "registry_image_trust.h"
#include "trust_fixture.h"

using namespace imageswitch;
using fixture::Case;
using fixture::key_policy;
using fixture::registries;

namespace {

Result<CheckReport> check(const Case& c, const std::string& ref) {
  RegistryImageTrust trust(c.settings);
  return check_image(trust, ref);
}

std::string rejected(const Case& c, const std::string& ref) {
  auto r = check(c, ref);
  INFO(ref);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

bool has(const std::string& text, const std::string& needle) {
  INFO(text);
  return text.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("index resolves to this architecture's manifest; that digest is verified") {
  auto& r = registries();
  Case c(R"({"default":[{"type":"sigstoreSigned","keyPaths":[")" + r.key("ec") + R"(",")" +
         r.key("ed25519") + R"("]}]})");
  auto ok = check(c, r.image("signed"));
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
  std::string repo = r.host("plain") + "/os/signed";
  CHECK(ok->pinned == repo + "@" + r.image("signed", "amd64"));
  CHECK(has(ok->accepted_by, "ECDSA P-256 key '" + r.key("ec") + "'"));
  c.settings.architecture = "aarch64";
  auto arm = check(c, r.image("signed"));
  REQUIRE_MESSAGE(arm.ok(), (arm.ok() ? "" : arm.error().message));
  CHECK(arm->pinned == repo + "@" + r.image("signed", "arm64"));
  CHECK(has(arm->accepted_by, "Ed25519"));
  c.settings.architecture = "s390x";
  CHECK(has(rejected(c, r.image("signed")), "no manifest for linux/s390x"));
  // the arm64 manifest is signed by the Ed25519 key only
  Case ec_only(key_policy(r.key("ec")));
  ec_only.settings.architecture = "arm64";
  CHECK(has(rejected(ec_only, r.image("signed")), "signature does not match"));
}

TEST_CASE("resolve by digest, request counting, connection reuse") {
  auto& r = registries();
  Case c(R"({"default":[{"type":"insecureAcceptAnything"}]})");
  RegistryImageTrust trust(c.settings);
  auto res = trust.resolve(r.image("unsigned"));
  REQUIRE(res.ok());
  CHECK(res->digest == r.image("unsigned", "digest"));
  CHECK(res->repository == r.host("plain") + "/os/unsigned");
  auto n = trust.request_count();
  CHECK(n >= 1);
  CHECK(n <= 3);  // https probe (insecure registry) + the manifest
  auto by_digest = trust.resolve(r.host("plain") + "/os/unsigned@" + res->digest);
  REQUIRE(by_digest.ok());
  CHECK(by_digest->digest == res->digest);
  CHECK(trust.request_count() == n + 1);
  CHECK(trust.verify(*res).value() == "insecureAcceptAnything");
  CHECK(trust.request_count() == n + 1);  // no signature fetched when not required
  auto missing = trust.resolve(r.host("plain") + "/os/unsigned@sha256:" + std::string(64, '0'));
  REQUIRE_FALSE(missing.ok());
  CHECK(has(missing.error().message, "404"));
}

TEST_CASE("signature rejections name the reason") {
  auto& r = registries();
  Case c(key_policy(r.key("ec")));
  CHECK(has(rejected(c, r.image("unsigned")), "no sigstore signatures found"));
  CHECK(has(rejected(c, r.image("wrongkey")), "signature does not match"));
  CHECK(has(rejected(c, r.image("moved")),
            "signature is for digest " + r.image("moved", "signed_digest")));
  CHECK(has(rejected(c, r.image("retag")), "no sigstore signatures found"));
  std::string repo_only = rejected(c, r.image("repoonly"));
  CHECK(has(repo_only, "signed identity '" + r.host("plain") + "/os/repoonly' does not match"));
  // by digest too: a repository-only identity never matches the default (containers/image)
  CHECK(has(rejected(c, r.host("plain") + "/os/repoonly@" + r.image("repoonly", "digest")),
            "matchRepository or exactRepository"));
  Case repo(key_policy(r.key("ec"), R"({"type":"matchRepository"})"));
  CHECK(check(repo, r.image("repoonly")).ok());
  Case exact(key_policy(
      r.key("ec"), R"({"type":"exactReference","dockerReference":")" + r.image("signed") + "\"}"));
  CHECK(has(rejected(exact, r.image("repoonly")), "does not match"));
  Case no_attach(key_policy(r.key("ec")), "", false);
  CHECK(has(rejected(no_attach, r.image("signed")), "use-sigstore-attachments"));
  Case gpg(R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg"}]})");
  CHECK(has(rejected(gpg, r.image("signed")), "not supported by imageswitch"));
  Case reject(R"({"default":[{"type":"reject"}]})");
  CHECK(has(rejected(reject, r.image("signed")), "rejects"));
}

TEST_CASE("any one valid signature suffices (RSA after an untrusted one)") {
  auto& r = registries();
  Case c(key_policy(r.key("rsa")));
  auto ok = check(c, r.image("multi"));
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
  CHECK(has(ok->accepted_by, "RSA-2048 key '" + r.key("rsa") + "'"));
}

TEST_CASE("mirrors: signatures come from the repository contacted; the pinned ref stays logical") {
  auto& r = registries();
  std::string src = r.host("plain") + "/os/mirrored";
  auto conf = [&](const std::string& mirror, const std::string& pull) {
    return "[[registry]]\nprefix = \"" + src + "\"\nlocation = \"" + src +
           "\"\ninsecure = true\n[[registry.mirror]]\nlocation = \"" + mirror +
           "\"\ninsecure = true\npull-from-mirror = \"" + pull + "\"\n";
  };
  Case with(key_policy(r.key("ec")), conf(r.image("mirrored", "mirror_withsig"), "all"));
  RegistryImageTrust trust(with.settings);
  auto ok = check_image(trust, r.image("mirrored"));
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
  CHECK(ok->pinned == src + "@" + r.image("mirrored", "digest"));
  Case without(key_policy(r.key("ec")), conf(r.image("mirrored", "mirror_nosig"), "all"));
  CHECK(has(rejected(without, r.image("mirrored")), "no sigstore signatures found"));
  // a digest-only mirror is not used for a tag: the source (with signatures) is contacted
  Case digest_only(key_policy(r.key("ec")),
                   conf(r.image("mirrored", "mirror_nosig"), "digest-only"));
  CHECK(check(digest_only, r.image("mirrored")).ok());
  // … but it is for a digest, and it has no signatures
  CHECK(has(rejected(digest_only, src + "@" + r.image("mirrored", "digest")), "no sigstore"));
  // verify without a prior resolve finds the repository to read signatures from (HEAD)
  RegistryImageTrust fresh(with.settings);
  ResolvedImage pinned{src + ":v1", src, r.image("mirrored", "digest")};
  auto v = fresh.verify(pinned);
  REQUIRE_MESSAGE(v.ok(), (v.ok() ? "" : v.error().message));
  RegistryImageTrust fresh_nosig(without.settings);
  CHECK_FALSE(fresh_nosig.verify(pinned).ok());
  CHECK(fresh_nosig.request_count() >= 2);
  // a mirror that does not have the image falls through to the source
  Case missing(key_policy(r.key("ec")), conf(r.host("plain") + "/mirror/absent", "all"));
  CHECK(check(missing, r.image("mirrored")).ok());
  // blocked source, no mirror for tags
  Case blocked(key_policy(r.key("ec")), "[[registry]]\nprefix = \"" + src + "\"\nblocked = true\n");
  CHECK(has(rejected(blocked, r.image("mirrored")), "blocked"));
}

TEST_CASE("plain HTTP only where registries.conf says insecure") {
  auto& r = registries();
  Case c(key_policy(r.key("ec")));
  fixture::spit(c.settings.registries_conf, "");
  auto e = check(c, r.image("signed"));
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().kind == ErrorKind::Usage);  // registries.conf must mark it insecure: exit 2
  CHECK(has(e.error().message, "plain HTTP"));
  CHECK(has(e.error().message, "'" + r.host("plain") + "'"));
}

TEST_CASE("htpasswd registry: Basic auth from the auth file") {
  auto& r = registries();
  Case c(key_policy(r.key("ec")));
  auto none = check(c, r.image("private"));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().kind == ErrorKind::Usage);  // the auth file lacks an entry: exit 2
  CHECK(has(none.error().message,
            "auth file has no credentials for '" + r.host("auth") + "/os/private'"));
  auto creds = r.info["registries"]["auth"];
  auto auth_json = [&](const std::string& key, const std::string& pw) {
    return R"({"auths":{")" + key + R"(":{"auth":")" +
           base64_encode(creds["username"].get<std::string>() + ":" + pw) + R"("}}})";
  };
  fixture::spit(c.settings.auth_file, auth_json("https://" + r.host("auth"), "wrong"));
  auto refused = check(c, r.image("private"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == ErrorKind::Degraded);  // credentials refused: exit 1
  std::string e = refused.error().message;
  CHECK(has(e, "401"));
  CHECK_FALSE(has(e, creds["password"].get<std::string>()));
  fixture::spit(c.settings.auth_file,
                auth_json(r.host("auth") + "/os", creds["password"].get<std::string>()));
  auto ok = check(c, r.image("private"));
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
  CHECK(ok->pinned == r.host("auth") + "/os/private@" + r.image("private", "digest"));
}

TEST_CASE("TLS registry: CA from certs.d/<host:port>") {
  auto& r = registries();
  Case c(key_policy(r.key("ec")));
  auto untrusted = check(c, r.image("tls"));
  REQUIRE_FALSE(untrusted.ok());
  CHECK(untrusted.error().kind == ErrorKind::Usage);  // certs.d must name its CA: exit 2
  CHECK(has(untrusted.error().message, "not trusted"));
  CHECK(has(untrusted.error().message, c.settings.certs_d + "/" + r.host("tls")));
  c.settings.certs_d = r.info["registries"]["tls"]["certs_d"];
  auto ok = check(c, r.image("tls"));
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
  CHECK(ok->pinned == r.host("tls") + "/os/tls@" + r.image("tls", "digest"));
}
