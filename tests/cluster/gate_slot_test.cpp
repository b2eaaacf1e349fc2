// Integration (issue 13 §4): a held Lease slot is renewed (renewTime moves, acquireTime stays),
// a slot taken over after its TTL is reported lost by renew() and left alone by release().
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "kube_fixture.h"
#include "lease.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

namespace {

const char* kNamespace = "imageswitch-coordination";

json tokens() {
  const json grants = {{{"resource", "leases"}, {"namespace", kNamespace}}};
  return {{"tok-a", {{"user", "imageswitch-a"}, {"groups", json::array()}, {"grants", grants}}},
          {"tok-b", {{"user", "imageswitch-b"}, {"groups", json::array()}, {"grants", grants}}}};
}

std::unique_ptr<LeaseGate> gate(const FakeApiServer& server, const std::string& token,
                                const std::string& holder, int ttl_s) {
  auto config = load_kubeconfig(server.kubeconfig(holder, KubeconfigShape::Token, token));
  REQUIRE(config.ok());
  auto client = std::make_shared<KubeClient>(*config, KubeOptions{5000, 5});
  return std::make_unique<LeaseGate>(client,
                                     LeaseOptions{kNamespace, "imageswitch", 1, ttl_s, holder});
}

json slot_spec(const FakeApiServer& server) {
  const json leases = server.state()["leases"];
  REQUIRE(leases.size() == 1);
  return leases[0]["spec"];
}

}  // namespace

TEST_SUITE("integration") {
  TEST_CASE("lease: renew() moves renewTime of our slot and keeps acquireTime") {
    FakeApiServer server(json{{"nodes", json::array()}}, tokens());
    auto a = gate(server, "tok-a", "n1", 5400);
    REQUIRE(*a->acquire());
    const json first = slot_spec(server);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto renewed = a->renew();
    REQUIRE_MESSAGE(renewed.ok(), (renewed.ok() ? "" : renewed.error().message));
    CHECK(*renewed);
    const json second = slot_spec(server);
    CHECK(second["holderIdentity"] == "n1");
    CHECK(second["acquireTime"] == first["acquireTime"]);
    CHECK(parse_kube_time(second["renewTime"]) > parse_kube_time(first["renewTime"]));
    CHECK(second["leaseDurationSeconds"] == 5400);
  }

  TEST_CASE("lease: taken over after its TTL: renew() says lost, release() leaves it alone") {
    FakeApiServer server(json{{"nodes", json::array()}}, tokens());
    auto a = gate(server, "tok-a", "n1", 1);
    auto b = gate(server, "tok-b", "n2", 1);
    REQUIRE(*a->acquire());
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));  // past the 1 s TTL
    REQUIRE(*b->acquire());
    CHECK(slot_spec(server)["holderIdentity"] == "n2");
    auto renewed = a->renew();
    REQUIRE(renewed.ok());
    CHECK_FALSE(*renewed);  // lost: a renew never takes a slot
    REQUIRE(a->release().ok());
    CHECK(slot_spec(server)["holderIdentity"] == "n2");
    REQUIRE(b->release().ok());
    CHECK_FALSE(slot_spec(server).contains("holderIdentity"));
  }
}
