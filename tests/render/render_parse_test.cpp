// MachineConfig parsing: Ignition semantics on the hand-made full fixture and the MCO's own
// rendered worker config (tests/render/fixtures), and one refusal fixture per refused feature.
#include <doctest/doctest.h>

#include <algorithm>

#include "fixture.h"
#include "packages.h"

using namespace imageswitch;
using namespace imageswitch::test;

namespace {

/// Asserts that the problems of fixture `name` are exactly `expected` (substrings, in order).
void expect_problems(const std::string& name, const std::vector<std::string>& expected,
                     const std::string& arch = "") {
  ParsedMachineConfig parsed = parse_machineconfig(fixture_text(name), arch);
  (void)plan_render(parsed.config, {"", arch}, parsed.problems);
  for (const auto& p : parsed.problems) MESSAGE(p);
  REQUIRE(parsed.problems.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK_MESSAGE(parsed.problems[i].find(expected[i]) != std::string::npos, expected[i]);
}

}  // namespace

TEST_CASE("full fixture: contents decoded, gunzipped and appended; modes and owners as given") {
  const RenderPlan plan = clean_plan("full.yaml");
  CHECK(file_at(plan, "/etc/sysctl.d/90-somaxconn.conf").contents == "net.core.somaxconn = 4096\n");
  const FileEntry& hello = file_at(plan, "/usr/local/bin/hello");
  CHECK(hello.contents == "#!/bin/sh\necho hello\n");
  CHECK(hello.mode == 0755);
  CHECK(hello.user.id == 0);
  const FileEntry& owned = file_at(plan, "/etc/mc-dir/owned.conf");
  CHECK(owned.contents == "owned by core\n");
  CHECK(owned.mode == 0640);  // YAML 0640 is octal, as go-yaml v2 reads it
  CHECK(owned.user.name == "core");
  CHECK(owned.group.name == "core");
  CHECK(!owned.user.id);
  CHECK(file_at(plan, "/etc/ssh/sshd_config.d/40-mc.conf").mode == 0600);
  CHECK(file_at(plan, "/etc/append.conf").contents == "first\nsecond\nchrony gzip\n");
  CHECK(file_at(plan, "/etc/empty-file").contents.empty());
  CHECK(file_at(plan, "/etc/empty-file").mode == 0644);
  REQUIRE(plan.directories.size() == 2);
  CHECK(plan.directories[0].path == "/etc/mc-dir");
  CHECK(plan.directories[0].mode == 0750);
  CHECK(plan.directories[0].group.name == "core");
  CHECK(plan.directories[1].mode == 0700);
  REQUIRE(plan.links.size() == 2);
  CHECK(plan.links[0].path == "/etc/mc-localtime");
  CHECK(plan.links[0].user.id == 1000);
  CHECK(plan.links[1].target == "hello");
}

TEST_CASE("full fixture: units, drop-ins, enablement, mask and preset follow the MCD") {
  const RenderPlan plan = clean_plan("full.yaml");
  CHECK(file_at(plan, "/etc/systemd/system/hello.service")
            .contents.find("ExecStart=/usr/local/bin/hello") != std::string::npos);
  CHECK(file_at(plan, "/etc/systemd/system/hello.service.d/20-env.conf").contents ==
        "[Service]\nEnvironment=GREETING=hi\n");
  for (const auto& f : plan.files) {
    CHECK(f.path != "/etc/systemd/system/hello.service.d/30-empty.conf");  // empty: skipped
    CHECK(f.path != "/etc/systemd/system/debug-shell.service");            // masked by systemctl
  }
  CHECK(file_at(plan, "/etc/systemd/system/chronyd.service.d/10-mc.conf").mode == 0644);
  CHECK(plan.enable == std::vector<std::string>{"hello.service"});
  CHECK(plan.disable == std::vector<std::string>{"quiet.service"});
  CHECK(plan.mask == std::vector<std::string>{"debug-shell.service"});
  CHECK(plan.preset == std::vector<std::string>{"preset-me.service"});  // not chronyd: drop-in only
}

TEST_CASE("full fixture: kernel arguments with fips, extensions and the realtime kernel swap") {
  const RenderPlan plan = clean_plan("full.yaml");
  CHECK(plan.kernel_arguments ==
        std::vector<std::string>{"nosmt", "systemd.unified_cgroup_hierarchy=1", "fips=1"});
  CHECK(plan.packages == std::vector<std::string>{"krb5-workstation", "libkadm5", "usbguard"});
  CHECK(plan.kernel.install ==
        std::vector<std::string>{"kernel-rt-core", "kernel-rt-modules", "kernel-rt-modules-extra"});
  CHECK(std::find(plan.kernel.remove.begin(), plan.kernel.remove.end(), "kernel-core") !=
        plan.kernel.remove.end());
  CHECK(plan.base.rfind("quay.io/example/rhcos@sha256:", 0) == 0);
  CHECK(clean_plan("full.yaml", {"localhost/other:1", ""}).base == "localhost/other:1");
}

TEST_CASE("the MCO's rendered worker config: files, modes and units as the MCD writes them") {
  const RenderPlan plan = clean_plan("mco-worker.yaml");
  CHECK(plan.source == "rendered-worker-f65bca0639c20840c47f73c0cf202a7c");
  CHECK(plan.ignition_version == "3.1.0");
  CHECK(file_at(plan, "/etc/sysctl.d/forward.conf").contents ==
        "net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\n");
  CHECK(
      file_at(plan, "/etc/pki/ca-trust/source/anchors/openshift-config-user-ca-bundle.crt").mode ==
      0600);
  CHECK(file_at(plan, "/etc/kubernetes/kubelet-plugins/volume/exec/.dummy").mode == 0755);
  CHECK(file_at(plan, "/etc/containers/registries.conf")
            .contents.rfind(
                "unqualified-search-registries = [\"registry.access.redhat.com\", \"docker.io\"]\n",
                0) == 0);
  CHECK(file_at(plan, "/etc/containers/policy.json").contents.back() == '}');
  CHECK(file_at(plan, "/etc/systemd/system/crio.service.d/10-mco-default-env.conf").contents ==
        "[Unit]\n");
  CHECK(plan.enable == std::vector<std::string>{"kubelet.service", "node-valid-hostname.service"});
  CHECK(plan.disable == std::vector<std::string>{"openvswitch.service", "ovsdb-server.service"});
  CHECK(plan.preset.empty());
  CHECK(plan.kernel_arguments.empty());
  for (const auto& f : plan.files) CHECK(f.path != "/usr/lib/bootc/kargs.d/10-machineconfig.toml");
}

TEST_CASE("the upstream config as rendered: exactly the SSH key and the /var file are refused") {
  expect_problems("mco-test-base.yaml",
                  {"passwd.users[0].sshAuthorizedKeys: user changes are not expressible",
                   "files[4].path: path \"/var/lib/kubelet/config.json\" is under /var"});
}

TEST_CASE("refused: remote sources of every scheme, with their HTTP headers") {
  expect_problems("refuse-remote.yaml", {"files[0].contents.source: remote source (http) refused",
                                         "files[1].contents.httpHeaders:",
                                         "files[1].contents.source: remote source (https)",
                                         "files[2].contents.source: remote source (s3)",
                                         "files[3].contents.source: remote source (tftp)",
                                         "files[4].append: appending to the base image's file",
                                         "files[4].append[0].source: remote source (gs)"});
}

TEST_CASE("refused: disks, raid, filesystems, luks") {
  expect_problems("refuse-disks.yaml", {"storage.disks: partitions",
                                        "storage.raid:", "storage.filesystems:", "storage.luks:"});
}

TEST_CASE("refused: /var, /run and the like, for files, links and directories") {
  expect_problems("refuse-var.yaml", {"files[0].path: path \"/var/lib/kubelet/config.json\"",
                                      "files[1].path: path \"/run/x\" is under /run",
                                      "links[0].path: path \"/var/log/latest\"",
                                      "directories[0].path: path \"/var/lib/mydata\""});
}

TEST_CASE("refused: passwd changes, with what to do instead; a bare user name is accepted") {
  expect_problems("refuse-passwd.yaml", {"users[0].passwordHash: user changes",
                                         "users[0].sshAuthorizedKeys: user changes",
                                         "passwd.groups: group changes are not expressible"});
}

TEST_CASE("refused: Ignition spec 2 (the MCO's own test-unit.yaml)") {
  expect_problems("refuse-version.yaml", {"ignition.version: Ignition version \"2.2.0\" is not 3.x",
                                          "files[0].filesystem: unknown field"});
}

TEST_CASE("refused: unknown fields at each level") {
  expect_problems("refuse-unknown.yaml", {"spec.kernelTyp: unknown field", "files[0].mod: unknown",
                                          "units[0].enable: unknown field"});
}

TEST_CASE(
    "refused: relative and unnormalised paths, '..', hard links, paths declared twice or below a "
    "link") {
  expect_problems(
      "refuse-paths.yaml",
      {"files[0].path: path \"etc/relative\" is not absolute",
       "files[1].path: path \"/etc/../var/escape\" is not normalised", "write \"/etc/double\"",
       "files[3].path:", "files[4].path:", "links[1].hard: hard links are refused",
       "/etc/twice: declared twice", "/etc/through-link/file: lies below /etc/through-link"});
}

TEST_CASE("refused: unknown extension, 64k-pages off aarch64, bad data, modes and names") {
  const std::vector<std::string> common{"kernelArguments[0]: \"two words\"",
                                        "extensions[1]: unknown extension \"nonesuch\"",
                                        "spec.fips: must be true or false"};
  std::vector<std::string> all = common;
  all.push_back("kernelType \"64k-pages\" exists on aarch64 only");
  const std::vector<std::string> rest{"files[0].contents.source: invalid base64",
                                      "files[1].contents.source: invalid percent",
                                      "files[2].mode: mode 99999",
                                      "files[2].contents.compression: invalid gzip",
                                      "files[3].contents.compression: \"xz\"",
                                      "units[0].name: unit name \"noext\"",
                                      "both.service\" is both masked and enabled",
                                      "dropins[0].name: drop-in name \"bad\""};
  all.insert(all.end(), rest.begin(), rest.end());
  expect_problems("refuse-values.yaml", all);
  std::vector<std::string> on_arm = common;  // 64k-pages is fine on aarch64
  on_arm.insert(on_arm.end(), rest.begin(), rest.end());
  expect_problems("refuse-values.yaml", on_arm, "aarch64");
}
