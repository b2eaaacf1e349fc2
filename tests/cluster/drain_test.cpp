// Integration: cordon, evictions, PDB refusals, slow termination, timeouts and the single-node
// skip, against the fake API server; no request may be one NodeRestriction refuses.
#include <doctest/doctest.h>

#include <set>

#include "drain.h"
#include "kube_cluster.h"
#include "kube_fixture.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

namespace {

DrainOptions fast(int timeout_s = 20, int grace = -1) {
  DrainOptions options;
  options.timeout_s = timeout_s;
  options.eviction_retry_s = 1;
  options.grace_period_s = grace;
  options.poll_ms = 100;
  return options;
}

json owned_by(const std::string& kind) {
  return {{"metadata",
           {{"ownerReferences",
             {{{"apiVersion", "apps/v1"},
               {"kind", kind},
               {"name", "x"},
               {"uid", "1"},
               {"controller", true}}}}}}};
}

std::set<std::string> pod_names(const json& state) {
  std::set<std::string> names;
  for (const auto& pod : state["pods"]) names.insert(pod["metadata"]["name"].get<std::string>());
  return names;
}

std::vector<double> eviction_times(const FakeApiServer& server, const std::string& pod) {
  std::vector<double> times;
  for (const auto& request : server.requests())
    if (request["path"].get<std::string>().find("/pods/" + pod + "/eviction") != std::string::npos)
      times.push_back(request["time"].get<double>());
  return times;
}

}  // namespace

TEST_SUITE("integration") {
  TEST_CASE("drain: skips mirror and DaemonSet pods, retries a PDB 429, waits for slow pods") {
    json mirror =
        make_pod("kube-system", "etcd-n1", "n1",
                 {{"metadata", {{"annotations", {{"kubernetes.io/config.mirror", "x"}}}}}});
    json daemon = make_pod("ds", "agent", "n1", owned_by("DaemonSet"));
    json web = make_pod("app", "web", "n1", owned_by("ReplicaSet"));
    web["x-fake"] = {{"terminate_after_s", 1.0}};
    json db = make_pod("app", "db", "n1", owned_by("StatefulSet"));
    json bare = make_pod("app", "bare", "n1");
    json done = make_pod("app", "job", "n1", {{"status", {{"phase", "Succeeded"}}}});
    json elsewhere = make_pod("app", "other", "n2");
    json state = {{"nodes", {make_node("n1"), make_node("n2")}},
                  {"pods", {mirror, daemon, web, db, bare, done, elsewhere}},
                  {"pdbs",
                   {{{"namespace", "app"},
                     {"name", "db-pdb"},
                     {"matchLabels", {{"app", "db"}}},
                     {"disruptionsAllowed", 0},
                     {"blocked_for_s", 1.5}},
                    {{"namespace", "app"},
                     {"name", "job-pdb"},
                     {"matchLabels", {{"app", "job"}}},
                     {"disruptionsAllowed", 0}}}}};
    FakeApiServer server(state);
    KubeCluster cluster(server.client("n1"), "n1", fast(20, 30));
    auto before = cluster.cordoned();
    REQUIRE(before.ok());
    CHECK_FALSE(*before);
    auto result = cluster.drain();
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    CHECK_FALSE(result->skipped);
    CHECK(server.node("n1")["spec"]["unschedulable"] == true);
    CHECK(pod_names(server.state()) == std::set<std::string>{"etcd-n1", "agent", "other"});
    // The PDB-blocked pod was retried after the delay, not in a tight loop.
    const auto db_times = eviction_times(server, "db");
    REQUIRE(db_times.size() >= 2);
    for (size_t i = 1; i < db_times.size(); ++i) CHECK(db_times[i] - db_times[i - 1] >= 0.9);
    CHECK(eviction_times(server, "etcd-n1").empty());
    CHECK(eviction_times(server, "agent").empty());
    CHECK(eviction_times(server, "other").empty());
    const json after = server.state();
    CHECK(after["evictions"].size() == 4);  // web, db, bare, job
    for (const auto& eviction : after["evictions"]) CHECK(eviction["gracePeriodSeconds"] == 30);
    CHECK(server.refused().empty());
    REQUIRE(cluster.uncordon().ok());
    CHECK(server.node("n1")["spec"]["unschedulable"] == false);
  }

  TEST_CASE("drain: timeout is Degraded and names the pods and the PDB; node stays cordoned") {
    json state = {{"nodes", {make_node("n1")}},
                  {"pods",
                   {make_pod("app", "db", "n1"),
                    make_pod("app", "slow", "n1", {{"x-fake", {{"terminate_after_s", 30}}}})}},
                  {"pdbs",
                   {{{"namespace", "app"},
                     {"name", "db-pdb"},
                     {"matchLabels", {{"app", "db"}}},
                     {"disruptionsAllowed", 0}}}}};
    FakeApiServer server(state);
    KubeCluster cluster(server.client("n1"), "n1", fast(2));
    auto result = cluster.drain();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ErrorKind::Degraded);
    const std::string& message = result.error().message;
    CHECK(message.find("Failed to drain node 'n1': timed out after 2 s") == 0);
    CHECK(message.find("'app/db' (blocked by PodDisruptionBudget 'db-pdb')") != std::string::npos);
    CHECK(message.find("'app/slow' (terminating)") != std::string::npos);
    CHECK(server.node("n1")["spec"]["unschedulable"] == true);
    const json after = server.state();
    REQUIRE(after["evictions"].size() == 1);  // slow; db never got past its PDB
    CHECK(after["evictions"][0]["gracePeriodSeconds"].is_null());  // -1: the pod's own grace period
    CHECK(server.refused().empty());
  }

  TEST_CASE("drain: a pod matched by several PDBs (500) is reported at once") {
    json state = {{"nodes", {make_node("n1")}},
                  {"pods", {make_pod("app", "db", "n1")}},
                  {"pdbs",
                   {{{"namespace", "app"},
                     {"name", "a"},
                     {"matchLabels", {{"app", "db"}}},
                     {"disruptionsAllowed", 1}},
                    {{"namespace", "app"},
                     {"name", "b"},
                     {"matchLabels", json::object()},
                     {"disruptionsAllowed", 1}}}}};
    FakeApiServer server(state);
    KubeCluster cluster(server.client("n1"), "n1", fast(20));
    auto result = cluster.drain();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ErrorKind::Degraded);
    CHECK(result.error().message.find("Failed to evict pod 'app/db': 500 Internal Server Error") ==
          0);
    CHECK(result.error().message.find("more than one PodDisruptionBudget") != std::string::npos);
    CHECK(eviction_times(server, "db").size() == 1);
  }

  TEST_CASE("drain: 404 means gone; a recreated pod (new UID) counts as evicted") {
    json state = {{"nodes", {make_node("n1")}},
                  {"pods",
                   {make_pod("app", "gone", "n1"),
                    make_pod("app", "sts-0", "n1",
                             {{"x-fake", {{"terminate_after_s", 0.5}, {"recreate", true}}}})}}};
    FakeApiServer server(state);
    server.control(
        "faults",
        {{{"method", "POST"}, {"path", "/pods/gone/eviction$"}, {"status", 404}, {"count", 1}}});
    KubeCluster cluster(server.client("n1"), "n1", fast(10));
    auto result = cluster.drain();
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    CHECK(eviction_times(server, "gone").size() == 1);
    CHECK(eviction_times(server, "sts-0").size() == 1);  // the replacement is left alone
    CHECK(pod_names(server.state()).count("sts-0") == 1);
  }

  TEST_CASE("drain: 403 NamespaceTerminating is retried; other 5xx are Temporary") {
    json state = {{"nodes", {make_node("n1")}}, {"pods", {make_pod("dying", "p", "n1")}}};
    FakeApiServer server(state);
    server.control("faults", {{{"method", "POST"},
                               {"path", "/eviction$"},
                               {"status", 403},
                               {"count", 1},
                               {"message",
                                "pods \"p\" is forbidden: unable to create new content in "
                                "namespace dying because it is being terminated"},
                               {"details",
                                {{"causes",
                                  {{{"reason", "NamespaceTerminating"},
                                    {"message", "namespace dying is being terminated"}}}}}}}});
    KubeCluster cluster(server.client("n1"), "n1", fast(10));
    auto result = cluster.drain();
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    CHECK(eviction_times(server, "p").size() == 2);

    FakeApiServer flaky(json{{"nodes", {make_node("n1")}}, {"pods", {make_pod("app", "q", "n1")}}});
    flaky.control("faults",
                  {{{"method", "POST"}, {"path", "/eviction$"}, {"status", 503}, {"count", 1}}});
    KubeCluster cluster2(flaky.client("n1"), "n1", fast(10));
    auto temporary = cluster2.drain();
    REQUIRE_FALSE(temporary.ok());
    CHECK(temporary.error().kind == ErrorKind::Temporary);
    CHECK(temporary.error().message.find("Failed to evict pod 'app/q': 503") == 0);
  }

  TEST_CASE("drain: single-node cluster is skipped without cordon; one of several is drained") {
    const json roles = {{"node-role.kubernetes.io/master", ""},
                        {"node-role.kubernetes.io/worker", ""}};
    json state = {{"nodes", {make_node("n1", json::object(), roles)}},
                  {"pods", {make_pod("app", "web", "n1")}},
                  {"endpoints", {{"kubernetes", {"10.0.0.1"}}}}};
    {
      FakeApiServer server(state);
      KubeCluster cluster(server.client("n1"), "n1", fast(10));
      auto result = cluster.drain();
      REQUIRE(result.ok());
      CHECK(result->skipped);
      CHECK_FALSE(server.node("n1")["spec"].contains("unschedulable"));
      CHECK(eviction_times(server, "web").empty());
      CHECK(server.refused().empty());
    }
    state["endpoints"]["kubernetes"] = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
    FakeApiServer server(state);
    KubeCluster cluster(server.client("n1"), "n1", fast(10));
    auto result = cluster.drain();
    REQUIRE(result.ok());
    CHECK_FALSE(result->skipped);
    CHECK(eviction_times(server, "web").size() == 1);
    CHECK(server.refused().empty());
  }

  TEST_CASE("pdb_blockers: names every budget, falls back to the message") {
    const json status = {
        {"message", "Cannot evict pod"},
        {"details",
         {{"causes",
           {{{"reason", "DisruptionBudget"},
             {"message", "The disruption budget a needs 2 healthy pods and has 2 currently"}}}}}}};
    CHECK(pdb_blockers(status) == "blocked by PodDisruptionBudget 'a'");
    CHECK(pdb_blockers(json{{"message", "rate limited"}}) == "rate limited");
    CHECK(pdb_blockers(nullptr) == "eviction refused (429)");
  }
}
