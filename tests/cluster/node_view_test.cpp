// Integration (issue 13 §2, issue 16 "cheap idle tick"): the desired source reads the Node's
// metadata only, from the API server's cache, in one GET that also answers desiredConfig and
// controlPlaneTopology; the drain trusts controlPlaneTopology and says what decided.
#include <doctest/doctest.h>

#include "kube_cluster.h"
#include "kube_fixture.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

namespace {

const char* kDesiredImage = "machineconfiguration.openshift.io/desiredImage";

/// A Node with a realistic status: a kubelet reports the images it holds, which makes the full
/// object many times larger than its metadata.
json big_node(const json& annotations, const json& labels = json::object()) {
  json node = make_node("n1", annotations, labels);
  json images = json::array();
  for (int i = 0; i < 60; ++i)
    images.push_back({{"names",
                       {"quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:" +
                        std::string(64, static_cast<char>('a' + i % 6))}},
                      {"sizeBytes", 500000000 + i}});
  node["status"]["images"] = images;
  return node;
}

std::vector<json> node_gets(const FakeApiServer& server) {
  std::vector<json> out;
  for (const auto& request : server.requests())
    if (request["method"] == "GET" &&
        request["path"].get<std::string>().rfind("/api/v1/nodes/n1", 0) == 0)
      out.push_back(request);
  return out;
}

bool evicted(const FakeApiServer& server) {
  return !server.state()["evictions"].empty();
}

const json kMasterWorker = {{"node-role.kubernetes.io/master", ""},
                            {"node-role.kubernetes.io/worker", ""}};

}  // namespace

TEST_SUITE("integration") {
  TEST_CASE("idle tick: one metadata-only GET from the cache answers image, config, topology") {
    const json annotations = {{kDesiredImage, "quay.io/os:4.19"},
                              {kDesiredConfigAnnotation, "rendered-worker-abc"},
                              {kTopologyAnnotation, "HighlyAvailable"}};
    FakeApiServer server(json{{"nodes", {big_node(annotations)}}});
    AnnotationSource source(server.client("n1"), "n1", kDesiredImage);
    auto desired = source.desired();
    REQUIRE_MESSAGE(desired.ok(), (desired.ok() ? "" : desired.error().message));
    CHECK(*desired == "quay.io/os:4.19");
    CHECK(source.desired_config() == "rendered-worker-abc");
    CHECK(source.topology() == "HighlyAvailable");
    const auto gets = node_gets(server);
    REQUIRE(gets.size() == 1);
    CHECK(gets[0]["path"] == "/api/v1/nodes/n1?resourceVersion=0");
    CHECK(gets[0]["accept"].get<std::string>().find(
              "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1") == 0);
    const long partial = gets[0]["bytes"].get<long>();
    MESSAGE("metadata-only Node GET: " << partial << " bytes");

    // A server that ignores the Accept header answers the full Node: same result, more bytes.
    server.control("options", {{"partial_metadata", false}});
    AnnotationSource fallback(server.client("n1"), "n1", kDesiredImage);
    REQUIRE(fallback.desired().ok());
    CHECK(*fallback.desired() == "quay.io/os:4.19");
    CHECK(fallback.desired_config() == "rendered-worker-abc");
    const long full = node_gets(server).back()["bytes"].get<long>();
    MESSAGE("full Node GET: " << full << " bytes");
    CHECK(full > 4 * partial);
    CHECK(server.refused().empty());
  }

  TEST_CASE("topology: SingleReplica skips cordon and drain, whatever the labels say") {
    FakeApiServer server(
        json{{"nodes", {make_node("n1", {{kTopologyAnnotation, "SingleReplica"}})}},
             {"pods", {make_pod("app", "web", "n1")}},
             {"endpoints", {{"kubernetes", {"10.0.0.1", "10.0.0.2"}}}}});
    KubeCluster cluster(server.client("n1"), "n1", {});
    auto result = cluster.drain();
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    CHECK(result->skipped);
    CHECK(result->decided_by.find("controlPlaneTopology annotation 'SingleReplica'") !=
          std::string::npos);
    CHECK_FALSE(server.node("n1")["spec"].contains("unschedulable"));
    CHECK_FALSE(evicted(server));
    CHECK(server.refused().empty());
  }

  TEST_CASE("topology: any other value drains even when the guess says single node") {
    DrainOptions options;
    options.poll_ms = 100;
    for (const char* value : {"HighlyAvailable", "External", "SomethingNew"}) {
      CAPTURE(value);
      FakeApiServer server(
          json{{"nodes", {make_node("n1", {{kTopologyAnnotation, value}}, kMasterWorker)}},
               {"pods", {make_pod("app", "web", "n1")}},
               {"endpoints", {{"kubernetes", {"10.0.0.1"}}}}});
      KubeCluster cluster(server.client("n1"), "n1", options);
      auto result = cluster.drain();
      REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
      CHECK_FALSE(result->skipped);
      CHECK(result->decided_by.find(std::string("annotation '") + value + "'") !=
            std::string::npos);
      CHECK(evicted(server));
    }
  }

  TEST_CASE("topology: without the annotation the old guess decides, and says so") {
    FakeApiServer server(json{{"nodes", {make_node("n1", json::object(), kMasterWorker)}},
                              {"pods", {make_pod("app", "web", "n1")}},
                              {"endpoints", {{"kubernetes", {"10.0.0.1"}}}}});
    KubeCluster cluster(server.client("n1"), "n1", {});
    auto result = cluster.drain();
    REQUIRE(result.ok());
    CHECK(result->skipped);
    CHECK(result->decided_by.find("no controlPlaneTopology annotation") != std::string::npos);
    CHECK_FALSE(evicted(server));
  }
}
