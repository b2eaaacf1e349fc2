// Unit tests of the rpm-ostree pure helpers and the progress throttle.
#include <doctest/doctest.h>

#include "rpmostree.h"
#include "rpmostree_transaction.h"

using namespace imageswitch;

namespace {
const std::string kDigest = "sha256:" + std::string(64, 'e');
}

TEST_CASE("strip_transport removes every ostree container transport") {
  const std::string img = "quay.io/openshift/rhcos@" + kDigest;
  CHECK(strip_transport("ostree-unverified-registry:" + img) == img);
  CHECK(strip_transport("ostree-unverified-image:docker://" + img) == img);
  CHECK(strip_transport("ostree-image-signed:docker://" + img) == img);
  CHECK(strip_transport("ostree-remote-image:fedora:docker://" + img) == img);
  CHECK(strip_transport("ostree-remote-registry:fedora:" + img) == img);
  CHECK(strip_transport(img) == img);
  CHECK(strip_transport("") == "");
}

TEST_CASE("digest_of_reference only answers for pinned references") {
  CHECK(digest_of_reference("quay.io/x/y@" + kDigest) == kDigest);
  CHECK(digest_of_reference("quay.io/x/y:4.16") == "");
  CHECK(digest_of_reference("localhost:5000/x/y") == "");
}

TEST_CASE("to_deployment prefers the daemon's digest and falls back to the reference") {
  Dict dict{{"id", std::string("rhcos-abc.0")},
            {"checksum", std::string("abc")},
            {"booted", true},
            {"container-image-reference",
             std::string("ostree-unverified-registry:quay.io/x/y@" + kDigest)}};
  RpmDeployment d = parse_rpm_deployment(dict);
  CHECK(d.booted);
  CHECK_FALSE(d.staged);
  CHECK(to_deployment(d).digest == kDigest);
  CHECK(to_deployment(d).image == "quay.io/x/y@" + kDigest);
  CHECK(to_deployment(d).id == "rhcos-abc.0");

  dict["container-image-reference"] = std::string("ostree-unverified-registry:quay.io/x/y:4.16");
  dict["container-image-reference-digest"] = std::string("sha256:" + std::string(64, 'f'));
  d = parse_rpm_deployment(dict);
  CHECK(to_deployment(d).digest == "sha256:" + std::string(64, 'f'));
  CHECK(to_deployment(d).image == "quay.io/x/y:4.16");

  dict.erase("container-image-reference-digest");
  CHECK(to_deployment(parse_rpm_deployment(dict)).digest == "");
}

TEST_CASE("dict accessors ignore entries of another type") {
  Dict dict{{"booted", std::string("yes")}, {"id", true}};
  CHECK(dict_bool(dict, "booted", false) == false);
  CHECK(dict_string(dict, "id") == "");
  CHECK(dict_has(dict, "id"));
  CHECK_FALSE(dict_has(dict, "checksum"));
}

TEST_CASE("ProgressThrottle relays percent steps of 10, text changes and stale updates") {
  using namespace std::chrono_literals;
  ProgressThrottle t(10, 5s);
  const auto t0 = ProgressThrottle::Clock::now();
  int relayed = 0;
  for (unsigned p = 0; p <= 100; ++p) relayed += t.percent("Importing", p, t0) ? 1 : 0;
  CHECK(relayed == 11);
  CHECK_FALSE(t.percent("Importing", 100, t0));
  CHECK(t.percent("Writing objects", 3, t0));  // new task text
  CHECK_FALSE(t.percent("Writing objects", 4, t0 + 1s));
  CHECK(t.percent("Writing objects", 5, t0 + 6s));  // 5 s without a line
}

TEST_CASE("ProgressThrottle relays at most one message per second") {
  using namespace std::chrono_literals;
  ProgressThrottle t;
  const auto t0 = ProgressThrottle::Clock::now();
  CHECK(t.message(t0));
  CHECK_FALSE(t.message(t0 + 500ms));
  CHECK(t.message(t0 + 1100ms));
}
