// Integration (issue 13 §3): only 404 or a new UID means a pod is gone; every other 409 (a PDB
// status-update conflict in the Eviction handler) is retried like 429; waiting lists come from
// the API server's cache, and independent evictions run side by side (at most max_parallel).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "drain.h"
#include "kube_cluster.h"
#include "kube_fixture.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

namespace {

DrainOptions quick(int timeout_s = 20) {
  DrainOptions options;
  options.timeout_s = timeout_s;
  options.eviction_retry_s = 1;
  options.poll_ms = 100;
  return options;
}

json pdb(const std::string& name, const std::string& app, int allowed, int conflicts = 0) {
  return {{"namespace", "app"},
          {"name", name},
          {"matchLabels", {{"app", app}}},
          {"disruptionsAllowed", allowed},
          {"status_conflicts", conflicts}};
}

std::vector<json> requests_matching(const FakeApiServer& server, const std::string& method,
                                    const std::string& needle) {
  std::vector<json> out;
  for (const auto& request : server.requests())
    if (request["method"] == method &&
        request["path"].get<std::string>().find(needle) != std::string::npos)
      out.push_back(request);
  return out;
}

bool has_pod(const json& state, const std::string& name) {
  for (const auto& pod : state["pods"])
    if (pod["metadata"]["name"] == name) return true;
  return false;
}

/// The largest number of requests in `requests` whose [received, ts] intervals overlap.
std::size_t max_overlap(const std::vector<json>& requests) {
  std::size_t best = 0;
  for (const auto& a : requests) {
    const double at = a["received"].get<double>();
    std::size_t n = 0;
    for (const auto& b : requests)
      if (b["received"].get<double>() <= at && at <= b["ts"].get<double>()) ++n;
    best = std::max(best, n);
  }
  return best;
}

}  // namespace

TEST_SUITE("integration") {
  TEST_CASE("eviction: a 409 from a PDB status conflict is retried, not taken as gone") {
    json state = {{"nodes", {make_node("n1")}},
                  {"pods", {make_pod("app", "db", "n1")}},
                  {"pdbs", {pdb("db-pdb", "db", 1, 2)}}};
    FakeApiServer server(state);
    KubeCluster cluster(server.client("n1"), "n1", quick());
    auto result = cluster.drain();
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    const auto evictions = requests_matching(server, "POST", "/pods/db/eviction");
    REQUIRE(evictions.size() == 3);  // two 409s, then accepted
    CHECK(evictions[0]["status"] == 409);
    CHECK(evictions[1]["status"] == 409);
    CHECK(evictions[2]["status"] == 201);
    CHECK(evictions[1]["time"].get<double>() - evictions[0]["time"].get<double>() >= 0.9);
    const json after = server.state();
    CHECK_FALSE(has_pod(after, "db"));  // really evicted before the drain said done
    CHECK(after["evictions"].size() == 1);
    CHECK(server.refused().empty());
  }

  TEST_CASE("eviction: a drain that times out on 409s names the conflict") {
    json state = {{"nodes", {make_node("n1")}},
                  {"pods", {make_pod("app", "db", "n1")}},
                  {"pdbs", {pdb("db-pdb", "db", 1, 1000)}}};
    FakeApiServer server(state);
    KubeCluster cluster(server.client("n1"), "n1", quick(2));
    auto result = cluster.drain();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ErrorKind::Degraded);
    CHECK(result.error().message.find("'app/db' (409 Conflict: Operation cannot be fulfilled on "
                                      "poddisruptionbudgets.policy \"db-pdb\"") !=
          std::string::npos);
    CHECK(has_pod(server.state(), "db"));
  }

  TEST_CASE("eviction: Pending pods are evicted past a PDB (the handler ignores it)") {
    json pending = make_pod("app", "db", "n1", {{"status", {{"phase", "Pending"}}}});
    json state = {{"nodes", {make_node("n1")}}, {"pods", {pending}}, {"pdbs", {pdb("p", "db", 0)}}};
    FakeApiServer server(state);
    KubeCluster cluster(server.client("n1"), "n1", quick());
    auto result = cluster.drain();
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    CHECK(requests_matching(server, "POST", "/pods/db/eviction").size() == 1);
    CHECK_FALSE(has_pod(server.state(), "db"));
  }

  TEST_CASE("eviction: waits by UID on cached lists; evictions run side by side, bounded") {
    json pods = json::array();
    for (int i = 0; i < 6; ++i) {
      json pod = make_pod("app", "web-" + std::to_string(i), "n1");
      pod["x-fake"] = {{"terminate_after_s", 0.5}, {"recreate", true}};
      pods.push_back(pod);
    }
    FakeApiServer server(json{{"nodes", {make_node("n1")}}, {"pods", pods}});
    // Each eviction takes 0.4 s at the server: overlapping intervals show concurrency.
    server.control("faults", {{{"method", "POST"},
                               {"path", "/eviction$"},
                               {"status", 0},
                               {"delay_s", 0.4},
                               {"count", -1}}});
    KubeCluster cluster(server.client("n1"), "n1", quick());
    auto result = cluster.drain();
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    const auto evictions = requests_matching(server, "POST", "/eviction");
    CHECK(evictions.size() == 6);  // each once: the recreated pods (new UID) are left alone
    const std::size_t overlap = max_overlap(evictions);
    CHECK(overlap >= 2);
    CHECK(overlap <= 4);
    CHECK(server.state()["pods"].size() == 6);  // all recreated under the same names
    const auto lists = requests_matching(server, "GET", "/api/v1/pods?");
    REQUIRE(lists.size() >= 2);
    CHECK(lists[0]["path"].get<std::string>().find("resourceVersion") == std::string::npos);
    for (std::size_t i = 1; i < lists.size(); ++i)
      CHECK(lists[i]["path"].get<std::string>().find("&resourceVersion=0") != std::string::npos);
    CHECK(server.refused().empty());
  }
}
