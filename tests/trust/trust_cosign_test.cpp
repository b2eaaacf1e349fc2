// Signatures made by the real cosign 2.x (Debian 13) verified by imageswitch. SKIP (exit 77) only
// when tests/tools/fetch-trixie-tools.sh could not provide cosign.
#include <doctest/doctest.h>

#include <cstdio>

#include "registry_image_trust.h"
#include "trust_fixture.h"

using namespace imageswitch;
using fixture::Case;
using fixture::key_policy;
using fixture::registries;

TEST_CASE("cosign-signed image") {
  auto& r = registries();
  if (!r.info.value("cosign", false)) {
    std::puts("SKIP: cosign not available (tests/tools/fetch-trixie-tools.sh failed)");
    r.cleanup();
    std::_Exit(77);
  }
  CHECK(r.info.value("cosign_verifies_openssl", false));  // cosign accepts our signatures too
  Case repo(key_policy(r.key("cosign"), R"({"type":"matchRepository"})"));
  RegistryImageTrust trust(repo.settings);
  auto ok = check_image(trust, r.image("cosign"));
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
  CHECK(ok->pinned == r.host("plain") + "/os/cosign@" + r.image("cosign", "digest"));
  CHECK(ok->accepted_by.find("ECDSA P-256 key '" + r.key("cosign") + "'") != std::string::npos);
  // cosign writes a repository-only identity: by tag, the default identity rejects it …
  Case def(key_policy(r.key("cosign")));
  RegistryImageTrust t2(def.settings);
  auto by_tag = check_image(t2, r.image("cosign"));
  REQUIRE_FALSE(by_tag.ok());
  CHECK(by_tag.error().message.find("does not match") != std::string::npos);
  // … and by digest too, as containers/image (only matchRepository/exactRepository accept it)
  auto by_digest = check_image(t2, r.host("plain") + "/os/cosign@" + r.image("cosign", "digest"));
  REQUIRE_FALSE(by_digest.ok());
  CHECK(by_digest.error().kind == ErrorKind::Degraded);
  Case exact_repo(key_policy(r.key("cosign"), R"({"type":"exactRepository","dockerRepository":")" +
                                                  r.host("plain") + "/os/cosign\"}"));
  RegistryImageTrust t4(exact_repo.settings);
  CHECK(check_image(t4, r.host("plain") + "/os/cosign@" + r.image("cosign", "digest")).ok());
  // a different key refuses the cosign signature
  Case other(key_policy(r.key("ec"), R"({"type":"matchRepository"})"));
  RegistryImageTrust t3(other.settings);
  CHECK_FALSE(check_image(t3, r.image("cosign")).ok());
}
