#include <doctest/doctest.h>

#include "image_ref.h"

using namespace imageswitch;

namespace {
const std::string kHex(64, 'a');
const std::string kDigest = "sha256:" + kHex;

ImageRef ok(const std::string& s) {
  auto r = parse_image_ref(s);
  INFO(s);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return *r;
}

std::string err(const std::string& s) {
  auto r = parse_image_ref(s);
  INFO(s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind("Failed to parse image reference '" + s + "': ", 0) == 0);
  return r.error().message;
}
}  // namespace

TEST_CASE("docker.io normalisation") {
  auto r = ok("busybox");
  CHECK(r.host == "docker.io");
  CHECK(r.path == "library/busybox");
  CHECK(r.tag.empty());
  CHECK(r.string() == "docker.io/library/busybox");
  CHECK(ok("library/busybox:1.36").string() == "docker.io/library/busybox:1.36");
  CHECK(ok("docker.io/busybox").name() == "docker.io/library/busybox");
  CHECK(ok("index.docker.io/foo/bar").name() == "docker.io/foo/bar");
  CHECK(ok("foo/bar").name() == "docker.io/foo/bar");
  CHECK(ok("foo/bar/baz").path == "foo/bar/baz");
}

TEST_CASE("hosts, ports, localhost") {
  auto r = ok("quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64");
  CHECK(r.host == "quay.io");
  CHECK(r.path == "openshift-release-dev/ocp-release");
  CHECK(r.tag == "4.16.0-x86_64");
  r = ok("localhost:5000/os/rhcos");
  CHECK(r.host == "localhost:5000");
  CHECK(r.path == "os/rhcos");
  CHECK(r.tag.empty());
  CHECK(ok("localhost/foo").host == "localhost");
  CHECK(ok("127.0.0.1:5000/foo:v1").tag == "v1");
  CHECK(ok("Registry.Example.com/foo").host == "Registry.Example.com");
  CHECK(ok("my-registry.local:443/a/b").host == "my-registry.local:443");
  // without a dot, colon or localhost the first component is a path
  CHECK(ok("myhost/foo").host == "docker.io");
}

TEST_CASE("tags and digests") {
  auto r = ok("quay.io/a/b@" + kDigest);
  CHECK(r.digest == kDigest);
  CHECK(r.tag.empty());
  CHECK(r.string() == "quay.io/a/b@" + kDigest);
  r = ok("quay.io/a/b:v1@" + kDigest);
  CHECK(r.tag == "v1");
  CHECK(r.digest == kDigest);
  CHECK(r.string() == "quay.io/a/b:v1@" + kDigest);
  CHECK(ok("localhost:5000/a:5000").tag == "5000");
  CHECK(ok("a:_under").tag == "_under");
  CHECK(ok("a:" + std::string(128, 'x')).tag.size() == 128);
  CHECK(ok("a__b/c-d.e---f").path == "a__b/c-d.e---f");
}

TEST_CASE("malformed references name the problem") {
  CHECK(err("").find("empty") != std::string::npos);
  CHECK(err("Quay.io/Foo").find("lowercase") != std::string::npos);
  CHECK(err("foo/Bar").find("lowercase") != std::string::npos);
  CHECK(err("quay.io/a:").find("invalid tag") != std::string::npos);
  CHECK(err("quay.io/a:-x").find("invalid tag") != std::string::npos);
  CHECK(err("a:" + std::string(129, 'x')).find("invalid tag") != std::string::npos);
  CHECK(err("quay.io/a@sha256:abc").find("invalid digest") != std::string::npos);
  CHECK(err("quay.io/a@sha256:" + std::string(64, 'A')).find("invalid digest") !=
        std::string::npos);
  CHECK(err("quay.io/a@sha512:" + std::string(128, 'a')).find("unsupported digest") !=
        std::string::npos);
  CHECK(err("quay.io/a@" + kDigest + "@" + kDigest).find("more than one") != std::string::npos);
  CHECK(err("https://quay.io/a").find("scheme") != std::string::npos);
  CHECK(err("quay.io/a b").find("white space") != std::string::npos);
  CHECK(err("quay.io//a").find("path component") != std::string::npos);
  CHECK(err("quay.io/a/").find("path component") != std::string::npos);
  CHECK(err("quay.io/-a").find("path component") != std::string::npos);
  CHECK(err("quay.io/a..b").find("path component") != std::string::npos);
  CHECK(err("quay.io/a___b").find("path component") != std::string::npos);
  CHECK(err("-bad.io:5000/a").find("registry host") != std::string::npos);
  CHECK(err("bad.io:99999x/a").find("registry host") != std::string::npos);
  CHECK(err(kHex).find("64-byte") != std::string::npos);
  CHECK(err("quay.io/" + std::string(250, 'a')).find("255") != std::string::npos);
  CHECK(ok("quay.io").path == "library/quay.io");  // no slash: a docker.io name
}

TEST_CASE("repository names") {
  CHECK(parse_repository("quay.io/a/b").ok());
  CHECK_FALSE(parse_repository("quay.io/a/b:v1").ok());
  CHECK_FALSE(parse_repository("quay.io/a/b@" + kDigest).ok());
}

TEST_CASE("scopes, most specific first") {
  auto s = ref_scopes(ok("reg.example.com:5000/ns/sub/repo:v1"));
  std::vector<std::string> want = {"reg.example.com:5000/ns/sub/repo:v1",
                                   "reg.example.com:5000/ns/sub/repo",
                                   "reg.example.com:5000/ns/sub",
                                   "reg.example.com:5000/ns",
                                   "reg.example.com:5000",
                                   "*.example.com",
                                   "*.com"};
  CHECK(s == want);
  auto d = ref_scopes(ok("localhost/r@" + kDigest));
  CHECK(d.front() == "localhost/r@" + kDigest);
  CHECK(d.back() == "localhost");
}
