// Integration: what the API server (or something pretending to be it) answers is outside input.
// JSON with a repeated key is refused whole (two readers must not disagree on a Node), a body that
// is no JSON at all leaves the status to speak, and annotation text enters the agent as one
// printable, bounded line.
#include <doctest/doctest.h>

#include "kube_cluster.h"
#include "kube_fixture.h"
#include "kube_types.h"
#include "text.h"

using namespace imageswitch;
using namespace imageswitch::testing;
using nlohmann::json;

namespace {

const char* kDesired = "machineconfiguration.openshift.io/desiredImage";

json fault_answering(const std::string& raw, int status = 200) {
  return json::array(
      {{{"path", "^/api/v1/nodes/n1$"}, {"raw", raw}, {"status", status}, {"count", 1}}});
}

}  // namespace

TEST_SUITE("integration") {
  TEST_CASE("a Node answer with a repeated key is refused, naming the key; the next read works") {
    FakeApiServer server({{"nodes", {make_node("n1")}}});
    auto client = server.client("n1");
    server.control("faults",
                   fault_answering(R"({"kind":"Node","metadata":{"name":"n1","annotations":)"
                                   R"({"machineconfiguration.openshift.io/desiredImage":"a",)"
                                   R"("machineconfiguration.openshift.io/desiredImage":"b"}}})"));
    auto twice = get_node(*client, "n1");
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.error().kind == ErrorKind::Degraded);
    CHECK(twice.error().message.find("duplicate key "
                                     "'machineconfiguration.openshift.io/desiredImage'") !=
          std::string::npos);
    CHECK(twice.error().message.find("node 'n1'") != std::string::npos);
    auto fine = get_node(*client, "n1");
    REQUIRE(fine.ok());
    CHECK(fine->name == "n1");
  }

  TEST_CASE("a body that is not JSON (a proxy's error page) leaves the status to speak") {
    FakeApiServer server({{"nodes", {make_node("n1")}}});
    auto client = server.client("n1");
    server.control("faults", fault_answering("<html>Bad Gateway</html>", 502));
    auto gateway = get_node(*client, "n1");
    REQUIRE_FALSE(gateway.ok());
    CHECK(gateway.error().kind == ErrorKind::Temporary);
    CHECK(gateway.error().message.find("502") != std::string::npos);
    CHECK(gateway.error().message.find("duplicate") == std::string::npos);
    server.control("faults", fault_answering(std::string(80, '[') + std::string(80, ']')));
    auto deep = get_node(*client, "n1");
    REQUIRE_FALSE(deep.ok());
    CHECK(deep.error().message.find("nested too deeply (80 levels, limit 64)") !=
          std::string::npos);
  }

  TEST_CASE("annotation text enters as one printable, bounded line") {
    FakeApiServer server({{"nodes", {make_node("n1")}}});
    auto client = server.client("n1");
    AnnotationSource source(client, "n1", kDesired);
    server.control("nodes", make_node("n1", {{kDesired, "quay.io/a/b:1\u001b[2J\u009b\nx"}}));
    auto escaped = source.desired();
    REQUIRE(escaped.ok());
    CHECK(*escaped == "quay.io/a/b:1\\x1b[2J\\u009b\\x0ax");
    server.control("nodes", make_node("n1", {{kDesired, std::string(100000, 'q')}}));
    auto long_one = source.desired();
    REQUIRE(long_one.ok());
    CHECK(long_one->size() == kMaxStoredText);
    CHECK(long_one->substr(long_one->size() - 3) == "\xE2\x80\xA6");
    server.control("nodes",
                   make_node("n1", {{"machineconfiguration.openshift.io/controlPlaneTopology",
                                     "\u001b]0;pwned\u0007SingleReplica"}}));
    const auto topology = topology_from_annotation(*get_node(*client, "n1"));
    REQUIRE(topology.has_value());
    CHECK_FALSE(topology->single);
    CHECK(topology->decided_by.find('\x1b') == std::string::npos);
  }
}
