#include <doctest/doctest.h>

#include "registries_conf.h"
#include "registries_d.h"
#include "temp_dir.h"

using namespace imageswitch;
using imageswitch::testing::TempDir;

namespace {
const std::string kDigest = "sha256:" + std::string(64, 'b');

std::vector<std::string> eps(const RegistriesConf& c, const std::string& ref) {
  auto r = parse_image_ref(ref);
  REQUIRE(r.ok());
  auto e = endpoints_for(c, *r);
  REQUIRE_MESSAGE(e.ok(), (e.ok() ? "" : e.error().message));
  std::vector<std::string> out;
  for (const auto& x : *e) out.push_back(x.repository + (x.insecure ? " insecure" : ""));
  return out;
}
}  // namespace

TEST_CASE("registries.conf: longest prefix, mirrors, pull-from-mirror, blocked") {
  auto c = parse_registries_conf(R"(
unqualified-search-registries = ["quay.io"]
[[registry]]
prefix = "quay.io/ocp"
location = "quay.io/ocp"
[[registry.mirror]]
location = "mirror.local:5000/ocp-digests"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tags.local/ocp"
pull-from-mirror = "tag-only"
insecure = true
[[registry.mirror]]
location = "all.local/ocp"

[[registry]]
prefix = "quay.io/ocp/release"
location = "release.local/rel"
blocked = true
[[registry.mirror]]
location = "relmirror.local/rel"
pull-from-mirror = "digest-only"

[[registry]]
location = "plain.local:5000"
insecure = true

[[registry]]
prefix = "*.wild.io"
location = "wildmirror.local/w"
)",
                                 "r.conf");
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
  CHECK(eps(*c, "quay.io/ocp/x:v1") ==
        std::vector<std::string>{"tags.local/ocp/x insecure", "all.local/ocp/x", "quay.io/ocp/x"});
  CHECK(eps(*c, "quay.io/ocp/x@" + kDigest) ==
        std::vector<std::string>{"mirror.local:5000/ocp-digests/x", "all.local/ocp/x",
                                 "quay.io/ocp/x"});
  CHECK(eps(*c, "quay.io/ocp/release@" + kDigest) ==
        std::vector<std::string>{"relmirror.local/rel"});
  auto blocked = endpoints_for(*c, *parse_image_ref("quay.io/ocp/release:4.16"));
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.error().message.find("blocked") != std::string::npos);
  CHECK(eps(*c, "quay.io/ocpx/y:1") == std::vector<std::string>{"quay.io/ocpx/y"});  // boundary
  CHECK(eps(*c, "plain.local:5000/a/b") ==
        std::vector<std::string>{"plain.local:5000/a/b insecure"});
  CHECK(eps(*c, "plain.local/a") == std::vector<std::string>{"plain.local/a"});  // port differs
  CHECK(eps(*c, "reg.wild.io/a") == std::vector<std::string>{"wildmirror.local/w"});
  CHECK(eps(*c, "docker.io/library/busybox") ==
        std::vector<std::string>{"docker.io/library/busybox"});
}

TEST_CASE("registries.conf errors") {
  CHECK_FALSE(
      parse_registries_conf("[[registry]]\ninsecure = \"yes\"\nlocation=\"a.io\"", "f").ok());
  CHECK_FALSE(parse_registries_conf("[registries.search]\nregistries = []", "f").ok());
  auto e = parse_registries_conf(
      "[[registry]]\nlocation=\"a.io\"\n[[registry.mirror]]\nlocation=\"b.io\"\n"
      "pull-from-mirror=\"sometimes\"",
      "f");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("pull-from-mirror") != std::string::npos);
  CHECK_FALSE(parse_registries_conf("this is = = not toml", "f").ok());
  CHECK(load_registries_conf("/nonexistent/registries.conf")->registries.empty());
}

TEST_CASE("registries.conf: a repeated key, an unreadable or oversized file are local faults") {
  // TOML itself forbids a repeated key; toml++ refuses it as containers/image's BurntSushi does
  auto twice = parse_registries_conf(
      "[[registry]]\nlocation = \"a.io\"\ninsecure = false\ninsecure = true\n", "/r.conf");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().kind == ErrorKind::Usage);
  CHECK(twice.error().message.find("/r.conf") != std::string::npos);
  const TempDir dir("regconf");
  auto unreadable = load_registries_conf(dir.path());  // a directory where the file should be
  REQUIRE_FALSE(unreadable.ok());
  CHECK(unreadable.error().kind == ErrorKind::Usage);
  auto big = load_registries_conf(dir.write("big.conf", "# " + std::string(2 << 20, 'x') + "\n"));
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().kind == ErrorKind::Usage);
  CHECK(big.error().message.find("big.conf") != std::string::npos);
}

TEST_CASE("registries.d: most precise scope, default-docker") {
  RegistriesD d;
  REQUIRE(
      parse_registries_d_file("default-docker:\n  use-sigstore-attachments: true\n", "a", d).ok());
  REQUIRE(parse_registries_d_file(R"(docker:
  quay.io/ocp:
    use-sigstore-attachments: false
  quay.io/ocp/release:
    lookaside: https://example.com/sigs
    use-sigstore-attachments: true
)",
                                  "b", d)
              .ok());
  auto ref = [](const char* s) { return *parse_image_ref(s); };
  CHECK(d.use_sigstore_attachments(ref("quay.io/ocp/release:1")));
  CHECK_FALSE(d.use_sigstore_attachments(ref("quay.io/ocp/other:1")));
  CHECK(d.use_sigstore_attachments(ref("localhost:5000/x")));
  RegistriesD none;
  CHECK_FALSE(none.use_sigstore_attachments(ref("localhost:5000/x")));
  // each setting comes from the most precise scope that sets it (containers/image
  // docker/registries_d.go), so a scope with only lookaside inherits default-docker's true
  RegistriesD e;
  REQUIRE(parse_registries_d_file("default-docker:\n  use-sigstore-attachments: true\n"
                                  "docker:\n  localhost:5000:\n    lookaside: file:///x\n",
                                  "c", e)
              .ok());
  CHECK(e.use_sigstore_attachments(ref("localhost:5000/x")));
  CHECK_FALSE(parse_registries_d_file(
                  "docker:\n  quay.io/ocp:\n    use-sigstore-attachments: maybe\n", "x", e)
                  .ok());
  CHECK_FALSE(parse_registries_d_file("default-docker: {}\n", "dup", d).ok());
  CHECK_FALSE(parse_registries_d_file("docker: [1, 2", "bad", e).ok());
}

TEST_CASE("registries.d: a repeated key is refused, as yaml.v3 in containers/image refuses it") {
  RegistriesD d;
  // yaml-cpp alone would answer the first 'lookaside' and Go readers refuse the file
  auto twice = parse_registries_d_file(
      "docker:\n  quay.io/ocp:\n    lookaside: https://a/\n    lookaside: https://b/\n",
      "/etc/containers/registries.d/x.yaml", d);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().kind == ErrorKind::Usage);
  CHECK(twice.error().message.find("/etc/containers/registries.d/x.yaml") != std::string::npos);
  CHECK(twice.error().message.find("key 'docker.quay.io/ocp.lookaside' given twice") !=
        std::string::npos);
  CHECK_FALSE(parse_registries_d_file("docker: {}\ndocker: {}\n", "top", d).ok());
  // aliases cannot make a small file a huge tree
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";  // 10^8 nodes by 'h'
  for (char c = 'b'; c <= 'h'; ++c) {
    std::string refs;
    for (int i = 0; i < 10; ++i) refs += std::string(i == 0 ? "*" : ", *") + char(c - 1);
    bomb += std::string(1, c) + ": &" + c + " [" + refs + "]\n";
  }
  auto expanded = parse_registries_d_file(bomb, "bomb", d);
  REQUIRE_FALSE(expanded.ok());
  CHECK(expanded.error().message.find("too many nodes") != std::string::npos);
}
