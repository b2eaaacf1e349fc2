// Unit: the pure helpers of the cluster side (no network).
#include <doctest/doctest.h>

#include "base64.h"
#include "config.h"
#include "drain.h"
#include "kube_client.h"
#include "kube_cluster.h"
#include "kube_types.h"
#include "kubeconfig.h"
#include "lease.h"

using namespace imageswitch;
using nlohmann::json;

TEST_SUITE("unit") {
  TEST_CASE("base64_decode: standard text, padding, whitespace, bad input") {
    CHECK(*base64_decode("aGVsbG8=") == "hello");
    CHECK(*base64_decode("aGVs\nbG8h") == "hello!");
    CHECK(*base64_decode("") == "");
    CHECK_FALSE(base64_decode("a*b").has_value());
    CHECK_FALSE(base64_decode("aGVs=bG8").has_value());
  }

  TEST_CASE("parse_kube_time: MicroTime and Time, UTC only") {
    CHECK(parse_kube_time("1970-01-01T00:00:10Z") == doctest::Approx(10));
    CHECK(parse_kube_time("2024-01-02T03:04:05.250000Z") == doctest::Approx(1704164645.25));
    CHECK(parse_kube_time("2024-01-02T03:04:05+01:00") < 0);
    CHECK(parse_kube_time("yesterday") < 0);
    CHECK(parse_kube_time(kube_micro_time_now()) > 1.7e9);
  }

  TEST_CASE("event_reason") {
    CHECK(event_reason({"Working", "", "", "rolled-back"}) == "ImageSwitchRolledBack");
    CHECK(event_reason({"Degraded", "", "", ""}) == "ImageSwitchDegraded");
  }

  TEST_CASE("api_error: kinds and wording") {
    const json forbidden = {{"kind", "Status"}, {"message", "nodes \"n1\" is forbidden: no"}};
    Error e = api_error({"patch", "node", "n1"}, {403, forbidden});
    CHECK(e.kind == ErrorKind::Degraded);
    CHECK(e.message ==
          "Failed to patch node 'n1': 403 Forbidden (nodes \"n1\" is forbidden: no): the kubelet "
          "identity lacks this permission");
    CHECK(api_error({"get", "node", "n1"}, {503, nullptr}).kind == ErrorKind::Temporary);
    CHECK(api_error({"get", "node", "n1"}, {429, nullptr}).kind == ErrorKind::Temporary);
    CHECK(api_error({"get", "node", "n1"}, {404, nullptr}).kind == ErrorKind::Degraded);
    CHECK(status_message(json{{"message", std::string(600, 'm') + "\n"}}).size() == 500);
  }

  TEST_CASE("parse_pod: mirror, DaemonSet, controller, deletion") {
    const json pod = {
        {"metadata",
         {{"namespace", "ns"},
          {"name", "p"},
          {"uid", "u"},
          {"annotations", {{"kubernetes.io/config.mirror", "abc"}}},
          {"deletionTimestamp", "2024-01-01T00:00:00Z"},
          {"ownerReferences", {{{"kind", "DaemonSet"}, {"name", "d"}, {"controller", true}}}}}},
        {"spec",
         {{"volumes",
           {{{"name", "cfg"}, {"configMap", json::object()}},
            {{"name", "scratch"}, {"emptyDir", json::object()}}}}}},
        {"status", {{"phase", "Running"}}}};
    auto parsed = parse_pod(pod);
    REQUIRE(parsed.ok());
    CHECK(parsed->mirror);
    CHECK(parsed->daemonset);
    CHECK(parsed->has_controller);
    CHECK(parsed->deleting);
    CHECK(parsed->empty_dir);
    CHECK(parsed->key() == "ns/p");
    auto bare = parse_pod(json{{"metadata", {{"namespace", "ns"}, {"name", "q"}}}});
    REQUIRE(bare.ok());
    CHECK_FALSE(bare->mirror);
    CHECK_FALSE(bare->daemonset);
    CHECK_FALSE(bare->has_controller);
    CHECK_FALSE(bare->empty_dir);
    CHECK_FALSE(parse_pod(json::object()).ok());
  }

  TEST_CASE("parse_node: fields we use") {
    const json node = {
        {"metadata", {{"name", "n1"}, {"resourceVersion", "7"}, {"annotations", {{"a", "b"}}}}},
        {"spec", {{"unschedulable", true}}},
        {"status",
         {{"addresses",
           {{{"type", "Hostname"}, {"address", "h"}},
            {{"type", "InternalIP"}, {"address", "10.1.1.1"}}}}}}};
    auto parsed = parse_node(node);
    REQUIRE(parsed.ok());
    CHECK(parsed->unschedulable);
    CHECK(parsed->resource_version == "7");
    CHECK(parsed->annotations.at("a") == "b");
    CHECK(parsed->internal_ips == std::vector<std::string>{"10.1.1.1"});
  }

  TEST_CASE("odd answer shapes never throw") {
    CHECK(pdb_blockers(json{{"details", {{"causes", "x"}}}}) == "eviction refused (429)");
    CHECK(pdb_blockers(json{{"details", {{"causes", {{{"message", 5}}}}}}}) ==
          "eviction refused (429)");
    CHECK(pdb_blockers(json::array()) == "eviction refused (429)");
    CHECK(json_string(json{{"a", nullptr}}, "a").empty());
    CHECK(json_string(json(3), "a").empty());
    CHECK(json_int(json{{"a", "7"}}, "a", -1) == -1);
    CHECK(json_int(json{{"a", 7}}, "a", -1) == 7);
    CHECK(json_member(json{{"a", {{"b", 1}}}}, "a")["b"] == 1);
  }

  TEST_CASE("url_encode") {
    CHECK(url_encode("spec.nodeName=n1") == "spec.nodeName%3Dn1");
    CHECK(url_encode("a/b c") == "a%2Fb%20c");
  }

  TEST_CASE("config: a Lease TTL must outlast the drain timeout plus the reboot allowance") {
    auto lease = [](const std::string& extra) {
      return parse_config(R"({"coordination": {"kind": "lease")" + extra, "config.json");
    };
    auto defaults = lease("}}");
    REQUIRE_MESSAGE(defaults.ok(), (defaults.ok() ? "" : defaults.error().message));
    CHECK(defaults->coordination.ttl_s == 5400);
    auto short_ttl = lease(R"(, "ttl_s": 900}})");
    REQUIRE_FALSE(short_ttl.ok());
    CHECK(short_ttl.error().kind == ErrorKind::Usage);
    CHECK(short_ttl.error().message ==
          "config.json: coordination: ttl_s (900) must exceed drain.timeout_s (3600) plus the "
          "reboot allowance (900 s) = 4500; raise ttl_s or lower the timeout");
    CHECK_FALSE(lease(R"(, "ttl_s": 4500}})").ok());
    CHECK(lease(R"(, "ttl_s": 4501}})").ok());
    CHECK(lease(R"(, "ttl_s": 700}, "drain": {"timeout_s": 60}, "reboot": {"enabled": false}})")
              .ok());
    CHECK(parse_config(R"({"coordination": {"kind": "fleetlock", "url": "http://x", "ttl_s": 10}})",
                       "config.json")
              .ok());  // no TTL in FleetLock
  }

  TEST_CASE("topology_from_annotation: SingleReplica only; absent → nullopt") {
    Node node;
    CHECK_FALSE(topology_from_annotation(node).has_value());
    node.annotations[kTopologyAnnotation] = "SingleReplica";
    CHECK(topology_from_annotation(node)->single);
    node.annotations[kTopologyAnnotation] = "HighlyAvailable";
    CHECK_FALSE(topology_from_annotation(node)->single);
    node.annotations[kTopologyAnnotation] = "";
    CHECK_FALSE(topology_from_annotation(node)->single);
  }

  TEST_CASE("report_patch: currentConfig and currentImage only when known") {
    Report done{"Done", "quay.io/os:4.19", "", "done", "rendered-worker-2"};
    const json patch = report_patch(done, "42");
    const json& annotations = patch["metadata"]["annotations"];
    CHECK(patch["metadata"]["resourceVersion"] == "42");
    CHECK(annotations[kCurrentConfigAnnotation] == "rendered-worker-2");
    CHECK(annotations[kCurrentImageAnnotation] == "quay.io/os:4.19");
    CHECK(annotations[kStateAnnotation] == "Done");
    CHECK(annotations[kReasonAnnotation] == "");
    const json working = report_patch({"Working", "", "", "draining"}, "1");
    CHECK_FALSE(working["metadata"]["annotations"].contains(kCurrentConfigAnnotation));
    CHECK_FALSE(working["metadata"]["annotations"].contains(kCurrentImageAnnotation));
  }
}
