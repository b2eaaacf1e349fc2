// Integration: kubeconfig shapes, the annotation source, report(), and API error handling
// against the fake API server (Node authorizer + NodeRestriction rules).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "kube_cluster.h"
#include "kube_fixture.h"
#include "kubeconfig.h"
#include "wiring.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

namespace {

const char* kDesired = "machineconfiguration.openshift.io/desiredImage";

json one_node_state(const json& annotations = json::object()) {
  return {{"nodes", {make_node("n1", annotations), make_node("n2")}}};
}

Settings settings_for(const std::string& kubeconfig, const std::string& node) {
  Settings settings;
  settings.kubeconfig = kubeconfig;
  settings.node_name = node;
  return settings;
}

int count_events(const FakeApiServer& server) {
  return static_cast<int>(server.state()["events"].size());
}

}  // namespace

TEST_SUITE("integration") {
  TEST_CASE("kubeconfig: client certificate files, inline data and a token all authenticate") {
    FakeApiServer server(one_node_state({{kDesired, "quay.io/os@sha256:aa"}}),
                         {{"tok-n1", {{"user", "system:node:n1"}, {"groups", {"system:nodes"}}}}});
    for (const auto& path : {server.kubeconfig("n1", KubeconfigShape::Files),
                             server.kubeconfig("n1", KubeconfigShape::Data),
                             server.kubeconfig("n1", KubeconfigShape::Combined),
                             server.kubeconfig("n1", KubeconfigShape::Token, "tok-n1")}) {
      auto source = make_desired_source(settings_for(path, "n1"));
      auto desired = source->desired();
      REQUIRE_MESSAGE(desired.ok(), (desired.ok() ? "" : desired.error().message));
      CHECK(*desired == "quay.io/os@sha256:aa");
    }
    const auto log = server.requests();
    REQUIRE(log.size() == 4);
    for (const auto& request : log) CHECK(request["user"] == "system:node:n1");
  }

  TEST_CASE("kubeconfig: parse errors name the file and the field") {
    auto missing = parse_kubeconfig("apiVersion: v1\nkind: Config\n", "/k", "");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::Usage);
    CHECK(missing.error().message.find("'/k'") != std::string::npos);
    CHECK(missing.error().message.find("current-context") != std::string::npos);
    auto bad_base64 = parse_kubeconfig(
        "clusters: [{name: c, cluster: {server: 'https://x', certificate-authority-data: '!!'}}]\n"
        "contexts: [{name: k, context: {cluster: c, user: u}}]\ncurrent-context: k\n"
        "users: [{name: u, user: {token: t}}]\n",
        "/k", "");
    REQUIRE_FALSE(bad_base64.ok());
    CHECK(bad_base64.error().message.find("certificate-authority-data") != std::string::npos);
    auto relative = parse_kubeconfig(
        "clusters: [{name: c, cluster: {server: 'https://x/', certificate-authority: ca.crt}}]\n"
        "contexts: [{name: k, context: {cluster: c, user: u}}]\ncurrent-context: k\n"
        "users: [{name: u, user: {client-certificate: pki/c.pem, client-key: /abs/c.key}}]\n",
        "/k", "/var/lib/kubelet");
    REQUIRE(relative.ok());
    CHECK(relative->server == "https://x");
    CHECK(relative->tls.ca_file == "/var/lib/kubelet/ca.crt");
    CHECK(relative->tls.cert_file == "/var/lib/kubelet/pki/c.pem");
    CHECK(relative->tls.key_file == "/abs/c.key");
    auto no_credentials = parse_kubeconfig(
        "clusters: [{name: c, cluster: {server: 'https://x'}}]\n"
        "contexts: [{name: k, context: {cluster: c, user: u}}]\ncurrent-context: k\n"
        "users: [{name: u, user: {}}]\n",
        "/k", "");
    REQUIRE_FALSE(no_credentials.ok());
    CHECK(no_credentials.error().message.find("neither a client certificate nor a token") !=
          std::string::npos);
    // yaml-cpp would answer the first 'server', client-go's reader another: refuse
    auto two_servers = parse_kubeconfig(
        "clusters: [{name: c, cluster: {server: 'https://a', server: 'https://evil'}}]\n"
        "contexts: [{name: k, context: {cluster: c, user: u}}]\ncurrent-context: k\n"
        "users: [{name: u, user: {token: t}}]\n",
        "/k", "");
    REQUIRE_FALSE(two_servers.ok());
    CHECK(two_servers.error().kind == ErrorKind::Usage);
    CHECK(two_servers.error().message ==
          "Failed to parse kubeconfig '/k': key 'clusters[0].cluster.server' given twice; check "
          "the kubelet's kubeconfig");
  }

  TEST_CASE("factories make no request; a missing kubeconfig fails only when used") {
    FakeApiServer server(one_node_state());
    Settings settings = settings_for(server.kubeconfig("n1", KubeconfigShape::Files), "n1");
    settings.coordination.kind = "lease";
    auto source = make_desired_source(settings);
    auto cluster = make_cluster(settings);
    auto gate = make_gate(settings);
    CHECK(cluster != nullptr);
    CHECK(server.requests().empty());
    Settings standalone;
    standalone.source = "file";
    standalone.kubeconfig = server.dir() + "/absent";
    CHECK(make_cluster(standalone) == nullptr);
    Settings broken = settings_for(server.dir() + "/absent", "n1");
    auto desired = make_desired_source(broken)->desired();
    REQUIRE_FALSE(desired.ok());
    CHECK(desired.error().message.find("absent") != std::string::npos);
  }

  TEST_CASE("annotation source: absent, empty and set") {
    FakeApiServer server(one_node_state());
    auto client = server.client("n1");
    CHECK(*AnnotationSource(client, "n1", kDesired).desired() == "");
    server.control("nodes", make_node("n1", {{kDesired, ""}}));
    CHECK(*AnnotationSource(client, "n1", kDesired).desired() == "");
    server.control("nodes", make_node("n1", {{kDesired, " quay.io/a/b:1 \n"}}));
    CHECK(*AnnotationSource(client, "n1", kDesired).desired() == "quay.io/a/b:1");
    CHECK(server.refused().empty());
  }

  TEST_CASE("report: annotations always, an Event only when state or phase changed") {
    FakeApiServer server(one_node_state());
    KubeCluster cluster(server.client("n1"), "n1", {});
    Report working{"Working", "quay.io/os@sha256:aa", "", "stage"};
    REQUIRE(cluster.report(working).ok());
    auto annotations = server.node("n1")["metadata"]["annotations"];
    CHECK(annotations[kStateAnnotation] == "Working");
    CHECK(annotations[kCurrentImageAnnotation] == "quay.io/os@sha256:aa");
    CHECK(annotations[kReasonAnnotation] == "");
    CHECK(count_events(server) == 1);
    REQUIRE(cluster.report(working).ok());
    CHECK(count_events(server) == 1);  // nothing changed: no second Event
    Report degraded{"Degraded", "quay.io/os@sha256:aa",
                    "bad \xff UTF-8 " + std::string(3000, 'x') + "\nsecond", "drain"};
    REQUIRE(cluster.report(degraded).ok());
    annotations = server.node("n1")["metadata"]["annotations"];
    CHECK(annotations[kStateAnnotation] == "Degraded");
    const std::string reason = annotations[kReasonAnnotation];
    CHECK(reason.size() <= kMaxReason);
    CHECK(reason.find('\n') == std::string::npos);
    const auto events = server.state()["events"];
    REQUIRE(events.size() == 2);
    CHECK(events[1]["type"] == "Warning");
    CHECK(events[1]["reason"] == "ImageSwitchDrain");
    CHECK(events[1]["involvedObject"]["kind"] == "Node");
    CHECK(events[1]["involvedObject"]["name"] == "n1");
    CHECK(events[1]["source"]["component"] == "imageswitch");
    CHECK(events[1]["reportingComponent"] == "imageswitch");
    CHECK(events[0]["type"] == "Normal");
    CHECK(server.refused().empty());
    for (const auto& request : server.requests())
      if (request["method"] == "POST")
        CHECK(request["path"] == "/api/v1/namespaces/default/events");
  }

  TEST_CASE("report: 409 conflicts are retried (bounded)") {
    FakeApiServer server(one_node_state());
    KubeCluster cluster(server.client("n1"), "n1", {});
    server.control(
        "faults",
        {{{"method", "PATCH"}, {"path", "^/api/v1/nodes/n1$"}, {"status", 409}, {"count", 3}}});
    REQUIRE(cluster.report({"Working", "img", "", "stage"}).ok());
    CHECK(server.node("n1")["metadata"]["annotations"][kStateAnnotation] == "Working");
    server.control(
        "faults",
        {{{"method", "PATCH"}, {"path", "^/api/v1/nodes/n1$"}, {"status", 409}, {"count", -1}}});
    auto storm = cluster.report({"Done", "img", "", "confirm"});
    REQUIRE_FALSE(storm.ok());
    CHECK(storm.error().kind == ErrorKind::Temporary);
    CHECK(storm.error().message.find("409 Conflict") != std::string::npos);
    int patches = 0;
    for (const auto& request : server.requests()) patches += request["method"] == "PATCH";
    CHECK(patches == 4 + 6);  // 3 conflicts + success, then 1 + 5 retries
  }

  TEST_CASE("report: a stale resourceVersion (someone else wrote) is re-read and retried") {
    FakeApiServer server(one_node_state());
    KubeCluster cluster(server.client("n1"), "n1", {});
    // A slow PATCH lets another writer bump the resourceVersion before ours arrives.
    server.control(
        "faults",
        {{{"method", "PATCH"}, {"path", "^/api/v1/nodes/n1$"}, {"delay_s", 0.5}, {"count", 1}}});
    std::thread other([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      server.control("nodes", make_node("n1", {{"other", "writer"}}));
    });
    auto result = cluster.report({"Working", "img", "", "stage"});
    other.join();
    REQUIRE(result.ok());
    auto statuses = json::array();
    for (const auto& request : server.requests())
      if (request["method"] == "PATCH") statuses.push_back(request["status"]);
    CHECK(statuses == json({409, 200}));
    CHECK(server.node("n1")["metadata"]["annotations"]["other"] == "writer");
  }

  TEST_CASE("errors: 401, 403 name verb and resource; 500 and timeouts are Temporary") {
    FakeApiServer server(one_node_state());
    auto client = server.client("n1", 1000);
    KubeCluster cluster(client, "n1", {});
    server.control("faults", {{{"path", "^/api/v1/nodes/n1$"}, {"status", 401}, {"count", 1}}});
    auto unauthorized = cluster.cordoned();
    REQUIRE_FALSE(unauthorized.ok());
    CHECK(unauthorized.error().kind == ErrorKind::Temporary);
    CHECK(unauthorized.error().message.find("Failed to get node 'n1': 401 Unauthorized") == 0);

    // A genuine NodeRestriction refusal: n1 may not touch n2.
    KubeCluster wrong(client, "n2", {});
    auto forbidden = wrong.uncordon();
    REQUIRE_FALSE(forbidden.ok());
    CHECK(forbidden.error().kind == ErrorKind::Degraded);
    const std::string& message = forbidden.error().message;
    // uncordon() reads the Node first (is the cordon ours?): the refusal names that GET.
    CHECK(message.find("Failed to get node 'n2': 403 Forbidden (nodes \"n2\" is forbidden") == 0);
    CHECK(message.find("the kubelet identity lacks this permission") != std::string::npos);

    server.control("faults", {{{"path", "^/api/v1/nodes/n1$"}, {"status", 500}, {"count", 1}}});
    auto internal = cluster.cordoned();
    REQUIRE_FALSE(internal.ok());
    CHECK(internal.error().kind == ErrorKind::Temporary);
    CHECK(internal.error().message.find("500 Internal Server Error") != std::string::npos);

    server.control("faults", {{{"path", "^/api/v1/nodes/n1$"}, {"delay_s", 3}, {"count", 1}}});
    auto slow = cluster.cordoned();
    REQUIRE_FALSE(slow.ok());
    CHECK(slow.error().kind == ErrorKind::Temporary);
    CHECK(slow.error().message.find("Failed to get node 'n1'") == 0);

    auto ok = cluster.cordoned();
    REQUIRE(ok.ok());
    CHECK_FALSE(*ok);
  }

  TEST_CASE("errors: an unknown token is rejected (401) and never echoed") {
    FakeApiServer server(one_node_state());
    auto parsed = load_kubeconfig(server.kubeconfig("n1", KubeconfigShape::Token, "unknown-token"));
    REQUIRE(parsed.ok());
    KubeCluster cluster(std::make_shared<KubeClient>(*parsed), "n1", {});
    auto result = cluster.cordoned();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("401 Unauthorized") != std::string::npos);
    CHECK(result.error().message.find("unknown-token") == std::string::npos);  // no secrets
  }
}

TEST_SUITE("integration") {
  TEST_CASE("fake API server: refuses what NodeRestriction and the Node authorizer refuse") {
    FakeApiServer server(json{{"nodes", {make_node("n1"), make_node("n2")}},
                              {"pods", {make_pod("app", "theirs", "n2")}}});
    auto client = server.client("n1");
    auto status = [&](const std::string& method, const std::string& path,
                      const json& body = nullptr) {
      auto response =
          client->call({"test", "x", ""}, method, path, body,
                       method == "PATCH" ? "application/merge-patch+json" : "application/json");
      REQUIRE(response.ok());
      return response->status;
    };
    const std::string own = "/api/v1/nodes/n1";
    CHECK(status("PATCH", own,
                 {{"spec", {{"taints", {{{"key", "k"}, {"effect", "NoSchedule"}}}}}}}) == 403);
    CHECK(status("PATCH", own,
                 {{"metadata", {{"labels", {{"node-role.kubernetes.io/worker", ""}}}}}}) == 403);
    CHECK(status("PATCH", own, {{"metadata", {{"ownerReferences", {{{"kind", "X"}}}}}}}) == 403);
    CHECK(status("PATCH", own,
                 {{"metadata", {{"labels", {{"node.kubernetes.io/exclude", "1"}}}}}}) == 200);
    CHECK(status("PATCH", own, {{"metadata", {{"annotations", {{"example.com/a", "1"}}}}}}) == 200);
    CHECK(status("GET", "/api/v1/nodes/n2") == 403);
    CHECK(status("PATCH", "/api/v1/nodes/n2", {{"spec", {{"unschedulable", true}}}}) == 403);
    CHECK(status("GET", "/api/v1/nodes?limit=2") == 403);
    CHECK(status("GET", "/api/v1/pods") == 403);
    CHECK(status("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn2") == 403);
    const json eviction = {{"apiVersion", "policy/v1"},
                           {"kind", "Eviction"},
                           {"metadata", {{"name", "theirs"}, {"namespace", "app"}}}};
    CHECK(status("POST", "/api/v1/namespaces/app/pods/theirs/eviction", eviction) == 403);
    CHECK(status("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                 {{"metadata", {{"name", "n2"}}}}) == 403);
    CHECK(server.refused().size() == 10);
    CHECK(server.node("n2")["spec"].value("unschedulable", false) == false);
  }
}
