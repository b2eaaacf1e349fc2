// Integration: the Lease semaphore (contention, renewal, TTL takeover, conflicts, and the
// NodeRestriction refusal for kubelet identities), FleetLock answers, and the file source.
#include <doctest/doctest.h>

#include "desired_file.h"
#include "fleetlock.h"
#include "kube_fixture.h"
#include "lease.h"
#include "wiring.h"

#include <chrono>
#include <thread>

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

namespace {

const char* kNamespace = "imageswitch-coordination";

/// Tokens for two operators' identities with Lease RBAC in kNamespace (not nodes: a node may
/// write only kube-node-lease/<itself>).
json lease_tokens() {
  const json grants = {{{"resource", "leases"}, {"namespace", kNamespace}}};
  return {{"tok-a", {{"user", "imageswitch-a"}, {"groups", json::array()}, {"grants", grants}}},
          {"tok-b", {{"user", "imageswitch-b"}, {"groups", json::array()}, {"grants", grants}}}};
}

std::unique_ptr<LeaseGate> lease_gate(const FakeApiServer& server, const std::string& token,
                                      const std::string& holder, int slots, int ttl_s) {
  auto config = load_kubeconfig(server.kubeconfig(holder, KubeconfigShape::Token, token));
  REQUIRE(config.ok());
  KubeOptions options;
  options.timeout_ms = 5000;
  auto client = std::make_shared<KubeClient>(*config, options);
  return std::make_unique<LeaseGate>(client,
                                     LeaseOptions{kNamespace, "imageswitch", slots, ttl_s, holder});
}

json lease_holder(const FakeApiServer& server, const std::string& name) {
  const json state = server.state();
  for (const auto& lease : state["leases"])
    if (lease["metadata"]["name"] == name) return lease["spec"].value("holderIdentity", json());
  return json();
}

}  // namespace

TEST_SUITE("integration") {
  TEST_CASE("lease: one slot, two nodes: the second waits until the first releases") {
    FakeApiServer server(json{{"nodes", {make_node("n1"), make_node("n2")}}}, lease_tokens());
    auto a = lease_gate(server, "tok-a", "n1", 1, 900);
    auto b = lease_gate(server, "tok-b", "n2", 1, 900);
    auto first = a->acquire();
    REQUIRE_MESSAGE(first.ok(), (first.ok() ? "" : first.error().message));
    CHECK(*first == true);
    CHECK(lease_holder(server, "imageswitch-0") == "n1");
    CHECK(*b->acquire() == false);
    const json renewed_before = server.state()["leases"][0]["spec"]["renewTime"];
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(*a->acquire() == true);  // renewal
    CHECK(server.state()["leases"][0]["spec"]["renewTime"] != renewed_before);
    REQUIRE(a->release().ok());
    REQUIRE(a->release().ok());  // idempotent
    CHECK(lease_holder(server, "imageswitch-0").is_null());
    CHECK(*b->acquire() == true);
    CHECK(lease_holder(server, "imageswitch-0") == "n2");
    CHECK(*a->acquire() == false);
    CHECK(server.refused().empty());
  }

  TEST_CASE("lease: max_holders 2 admits two, a third waits") {
    json tokens = lease_tokens();
    tokens["tok-c"] = tokens["tok-a"];
    tokens["tok-c"]["user"] = "imageswitch-c";
    FakeApiServer server(json{{"nodes", json::array()}}, tokens);
    auto a = lease_gate(server, "tok-a", "n1", 2, 900);
    auto b = lease_gate(server, "tok-b", "n2", 2, 900);
    auto c = lease_gate(server, "tok-c", "n3", 2, 900);
    CHECK(*a->acquire());
    CHECK(*b->acquire());
    CHECK_FALSE(*c->acquire());
    CHECK(lease_holder(server, "imageswitch-0") == "n1");
    CHECK(lease_holder(server, "imageswitch-1") == "n2");
    REQUIRE(b->release().ok());
    CHECK(*c->acquire());
    CHECK(lease_holder(server, "imageswitch-1") == "n3");
  }

  TEST_CASE("lease: an expired holder is taken over; 409 on update re-reads") {
    FakeApiServer server(json{{"nodes", json::array()}}, lease_tokens());
    auto a = lease_gate(server, "tok-a", "n1", 1, 1);
    auto b = lease_gate(server, "tok-b", "n2", 1, 1);
    CHECK(*a->acquire());
    CHECK_FALSE(*b->acquire());
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    server.control("faults",
                   {{{"method", "PUT"}, {"path", "/leases/"}, {"status", 409}, {"count", 2}}});
    CHECK(*b->acquire());
    CHECK(lease_holder(server, "imageswitch-0") == "n2");
    CHECK_FALSE(*a->acquire());
    int conflicts = 0;
    for (const auto& request : server.requests()) conflicts += request["status"] == 409;
    CHECK(conflicts == 2);
  }

  TEST_CASE("lease: two nodes racing for one free slot: exactly one wins") {
    for (int round = 0; round < 3; ++round) {
      FakeApiServer server(json{{"nodes", json::array()}}, lease_tokens());
      auto a = lease_gate(server, "tok-a", "n1", 1, 900);
      auto b = lease_gate(server, "tok-b", "n2", 1, 900);
      Result<bool> ra = false, rb = false;
      std::thread ta([&] { ra = a->acquire(); });
      std::thread tb([&] { rb = b->acquire(); });
      ta.join();
      tb.join();
      REQUIRE(ra.ok());
      REQUIRE(rb.ok());
      CHECK(*ra != *rb);
    }
  }

  TEST_CASE("lease: with the kubelet's identity NodeRestriction refuses; the error says so") {
    FakeApiServer server(json{{"nodes", {make_node("n1")}}});
    Settings settings;
    settings.kubeconfig = server.kubeconfig("n1", KubeconfigShape::Files);
    settings.node_name = "n1";
    settings.coordination.kind = "lease";
    auto gate = make_gate(settings);
    auto result = gate->acquire();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ErrorKind::Degraded);
    const std::string& message = result.error().message;
    CHECK(message.find("Failed to get lease 'openshift-machine-config-operator/imageswitch-0': 403 "
                       "Forbidden") == 0);
    CHECK(message.find("kube-node-lease") != std::string::npos);
    CHECK(message.find("the kubelet identity lacks this permission") != std::string::npos);
  }

  TEST_CASE("fleetlock: ok, lock held, recursive lock, release, bad request, server down") {
    TempDir dir;
    FakeProcess server("fake_fleetlock.py",
                       {"--slots", "1", "--group", "workers", "--port-file", dir.path() + "/port",
                        "--log", dir.path() + "/log"},
                       dir.path() + "/port");
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
    FleetLockGate a({url, "n1", "workers", 5000});
    FleetLockGate b({url, "n2", "workers", 5000});
    CHECK(*a.acquire() == true);
    auto held = b.acquire();
    REQUIRE(held.ok());
    CHECK(*held == false);
    CHECK(*a.acquire() == true);  // the holder may ask again
    REQUIRE(a.release().ok());
    CHECK(*b.acquire() == true);
    FleetLockGate wrong({url, "n3", "masters", 5000});
    auto bad = wrong.acquire();
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Degraded);
    CHECK(bad.error().message.find("HTTP 400 (bad_request: unknown group") != std::string::npos);
    const std::string log = read_text(dir.path() + "/log");
    CHECK(log.find("missing fleet-lock-protocol") == std::string::npos);
    FleetLockGate down({"http://127.0.0.1:9/", "n1", "workers", 2000});
    auto unreachable = down.acquire();
    REQUIRE_FALSE(unreachable.ok());
    CHECK(unreachable.error().kind == ErrorKind::Temporary);
  }

  TEST_CASE("gate none builds no gate; an unknown kind is a usage error when wiring") {
    Settings settings;
    CHECK(make_gate(settings) == nullptr);
    settings.coordination.kind = "etcd";
    CHECK(make_gate(settings) == nullptr);
    auto bad = make_services(settings);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Usage);
    CHECK(bad.error().message.find("'etcd'") != std::string::npos);
  }

  TEST_CASE("file source: missing, blank, one line, two lines, huge") {
    TempDir dir;
    const std::string path = dir.path() + "/desired-image";
    FileSource source(path);
    CHECK(*source.desired() == "");
    write_text(path, "\n  \n");
    CHECK(*source.desired() == "");
    write_text(path, "  quay.io/os/rhcos@sha256:0123  \n\n");
    CHECK(*source.desired() == "quay.io/os/rhcos@sha256:0123");
    write_text(path, "quay.io/a:1\nquay.io/b:2\n");
    auto two = source.desired();
    REQUIRE_FALSE(two.ok());
    CHECK(two.error().kind == ErrorKind::Usage);
    CHECK(two.error().message.find("'" + path + "'") != std::string::npos);
    write_text(path, std::string(100 * 1024, 'a'));
    auto huge = source.desired();
    REQUIRE_FALSE(huge.ok());
    CHECK(huge.error().kind == ErrorKind::Usage);
    CHECK(huge.error().message.find(path) != std::string::npos);
    Settings settings;
    settings.source = "file";
    settings.desired_file = path;
    write_text(path, "quay.io/c:3");
    CHECK(*make_desired_source(settings)->desired() == "quay.io/c:3");
  }
}
