// config.json → Settings: defaults, every key, and every kind of bad input.
#include "config.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include "temp_dir.h"

using namespace imageswitch;

namespace {

std::string error_of(const std::string& text) {
  auto r = parse_config(text, "config.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Usage);
  return r.error().message;
}

}  // namespace

TEST_CASE("config: empty object gives the contract's defaults") {
  auto r = parse_config("{}", "config.json");
  REQUIRE(r.ok());
  const Settings& s = *r;
  CHECK(s.source == "annotation");
  CHECK(s.desired_annotation == "machineconfiguration.openshift.io/desiredImage");
  CHECK(s.desired_file == "/etc/imageswitch/desired-image");
  CHECK(s.kubeconfig == "/var/lib/kubelet/kubeconfig");
  CHECK(s.backend == "rpm-ostree");
  CHECK(s.auth_file == "/var/lib/kubelet/config.json");
  CHECK(s.policy_file == "/etc/containers/policy.json");
  CHECK(s.registries_conf == "/etc/containers/registries.conf");
  CHECK(s.registries_d == "/etc/containers/registries.d");
  CHECK(s.certs_d == "/etc/containers/certs.d");
  CHECK(s.state_dir == "/var/lib/imageswitch");
  CHECK(s.runtime_dir == "/run/imageswitch");
  CHECK(s.drain.enabled);
  CHECK(s.drain.timeout_s == 3600);
  CHECK(s.drain.eviction_retry_s == 5);
  CHECK(s.drain.grace_period_s == -1);
  CHECK(s.reboot_enabled);
  CHECK(s.coordination.kind == "none");
  CHECK(s.sysroot == "/");
}

TEST_CASE("config: every key is read") {
  auto r = parse_config(R"({
    "node_name": "worker-1", "source": "file", "desired_annotation": "x/y",
    "desired_file": "/d", "kubeconfig": "/k", "backend": "bootc", "auth_file": "/a",
    "policy_file": "/p", "registries_conf": "/r", "registries_d": "/rd", "certs_d": "/c",
    "state_dir": "/s", "runtime_dir": "/run/x", "architecture": "arm64",
    "sysroot": "/sysroot",
    "drain": {"enabled": false, "timeout_s": 60, "eviction_retry_s": 1, "grace_period_s": 30},
    "reboot": {"enabled": false},
    "coordination": {"kind": "lease", "namespace": "ns", "name": "n", "max_holders": 3, "ttl_s": 120,
                     "kubeconfig": "/etc/imageswitch/lease.kubeconfig"}
  })",
                        "config.json");
  REQUIRE(r.ok());
  CHECK(r->node_name == "worker-1");
  CHECK(r->source == "file");
  CHECK(r->desired_annotation == "x/y");
  CHECK(r->desired_file == "/d");
  CHECK(r->kubeconfig == "/k");
  CHECK(r->backend == "bootc");
  CHECK(r->auth_file == "/a");
  CHECK(r->policy_file == "/p");
  CHECK(r->registries_conf == "/r");
  CHECK(r->registries_d == "/rd");
  CHECK(r->certs_d == "/c");
  CHECK(r->state_dir == "/s");
  CHECK(r->runtime_dir == "/run/x");
  CHECK(r->architecture == "arm64");
  CHECK(r->sysroot == "/sysroot");
  CHECK_FALSE(r->drain.enabled);
  CHECK(r->drain.timeout_s == 60);
  CHECK(r->drain.eviction_retry_s == 1);
  CHECK(r->drain.grace_period_s == 30);
  CHECK_FALSE(r->reboot_enabled);
  CHECK(r->coordination.kind == "lease");
  CHECK(r->coordination.namespace_ == "ns");
  CHECK(r->coordination.name == "n");
  CHECK(r->coordination.max_holders == 3);
  CHECK(r->coordination.ttl_s == 120);
  CHECK(r->coordination.kubeconfig == "/etc/imageswitch/lease.kubeconfig");
}

TEST_CASE("config: unknown keys name the key and suggest the right one") {
  CHECK(error_of(R"({"drian": {}})") == "config.json: unknown key 'drian' (did you mean 'drain'?)");
  CHECK(error_of(R"({"bakend": "bootc"})") ==
        "config.json: unknown key 'bakend' (did you mean 'backend'?)");
  CHECK(error_of(R"({"zzzzzz": 1})") == "config.json: unknown key 'zzzzzz'");
  CHECK(error_of(R"({"drain": {"timout_s": 5}})") ==
        "config.json: drain: unknown key 'timout_s' (did you mean 'timeout_s'?)");
  CHECK(error_of(R"({"reboot": {"enable": true}})") ==
        "config.json: reboot: unknown key 'enable' (did you mean 'enabled'?)");
  CHECK(error_of(R"({"coordination": {"knd": "none"}})") ==
        "config.json: coordination: unknown key 'knd' (did you mean 'kind'?)");
}

TEST_CASE("config: wrong types and values") {
  CHECK(error_of(R"({"source": 1})") == "config.json: key 'source' must be a string, not number");
  CHECK(error_of(R"({"source": "etcd"})") ==
        "config.json: key 'source' is 'etcd', expected one of 'annotation', 'file'");
  CHECK(error_of(R"({"backend": "dnf"})").find("expected one of 'rpm-ostree', 'bootc'") !=
        std::string::npos);
  CHECK(error_of(R"({"drain": true})") ==
        "config.json: key 'drain' must be an object, not boolean");
  CHECK(error_of(R"({"drain": {"enabled": "yes"}})") ==
        "config.json: drain: key 'enabled' must be true or false, not string");
  CHECK(error_of(R"({"drain": {"timeout_s": 1.5}})") ==
        "config.json: drain: key 'timeout_s' must be an integer, not number");
  CHECK(error_of(R"({"drain": {"timeout_s": 0}})").find("must be between 1 and") !=
        std::string::npos);
  CHECK(error_of(R"({"drain": {"grace_period_s": -2}})").find("not -2") != std::string::npos);
  CHECK(error_of(R"({"coordination": {"kind": "fleetlock"}})").find("needs key 'url'") !=
        std::string::npos);
  CHECK(error_of(R"({"coordination": {"kind": "lease", "max_holders": 0}})").find("max_holders") !=
        std::string::npos);
  CHECK(error_of(R"({"state_dir": ""})") == "config.json: key 'state_dir' must not be empty");
  CHECK(error_of(R"({"architecture": "mips"})").find("expected one of") != std::string::npos);
  CHECK(error_of(R"({"sysroot": "sysroot"})") ==
        "config.json: sysroot: must be an absolute path, not 'sysroot'");
  CHECK(error_of(R"({"sysroot": ""})") == "config.json: key 'sysroot' must not be empty");
}

TEST_CASE("config: malformed documents") {
  CHECK(error_of("") == "config.json: not valid JSON; fix the syntax");
  CHECK(error_of("{\"source\": ") == "config.json: not valid JSON; fix the syntax");
  CHECK(error_of("[]") == "config.json: must be a JSON object, not array");
  CHECK(error_of("\"x\"") == "config.json: must be a JSON object, not string");
  CHECK(error_of("{} {}") == "config.json: not valid JSON; fix the syntax");
}

TEST_CASE("config: load_config files") {
  const testing::TempDir dir("config");
  const std::string path = dir.file("config.json");
  SUBCASE("missing file at the default path means defaults plus the hostname") {
    auto r = load_config(path, /*path_was_given=*/false);
    REQUIRE(r.ok());
    CHECK_FALSE(r->node_name.empty());
  }
  SUBCASE("missing file given with --config is an error naming it") {
    auto r = load_config(path, true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Usage);
    CHECK(r.error().message.find(path) != std::string::npos);
  }
  SUBCASE("a bad file names config.json") {
    std::ofstream(path) << R"({"nodename": "x"})";
    auto r = load_config(path, true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "config.json: unknown key 'nodename' (did you mean 'node_name'?)");
  }
  SUBCASE("node_name from the file wins over the hostname") {
    std::ofstream(path) << R"({"node_name": "worker-7"})";
    auto r = load_config(path, true);
    REQUIRE(r.ok());
    CHECK(r->node_name == "worker-7");
  }
}

TEST_CASE("config: closest_key") {
  CHECK(closest_key("drian", {"drain", "reboot"}) == "drain");
  CHECK(closest_key("xyz", {"drain", "reboot"}).empty());
  CHECK(closest_key("reboot", {"drain", "reboot"}) == "reboot");
}
