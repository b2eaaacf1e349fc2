// The build context on disk: tree bytes, modes and times, render.json listing every path, the
// kargs.d file as TOML, apply.sh and Containerfile lines, and byte-identical renders.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "containerfile.h"
#include "fixture.h"
#include "output_dir.h"
#include "temp_dir.h"
#include "test_files.h"

using imageswitch::testing::slurp;
using imageswitch::testing::TempDir;

using namespace imageswitch;
using namespace imageswitch::test;
namespace fs = std::filesystem;

namespace {

/// Everything below `root`: relative path → "type mode mtime content-or-target".
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    struct stat st {};
    REQUIRE(::lstat(e.path().c_str(), &st) == 0);
    std::string v = std::to_string(st.st_mode) + " " + std::to_string(st.st_mtim.tv_sec);
    if (S_ISREG(st.st_mode)) v += " " + slurp(e.path());
    if (S_ISLNK(st.st_mode)) v += " -> " + fs::read_symlink(e.path()).string();
    out[e.path().lexically_relative(root).string()] = v;
  }
  return out;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777u;
}

}  // namespace

TEST_CASE("the tree holds the decoded bytes with the MachineConfig's modes") {
  TempDir tmp;
  const fs::path dir = fs::path(tmp.path()) / "out";
  REQUIRE(write_output_dir(clean_plan("full.yaml"), dir.string()).ok());
  const fs::path tree = dir / "tree";
  CHECK(slurp(tree / "etc/sysctl.d/90-somaxconn.conf") == "net.core.somaxconn = 4096\n");
  CHECK(slurp(tree / "etc/append.conf") == "first\nsecond\nchrony gzip\n");
  CHECK(mode_of(tree / "usr/local/bin/hello") == 0755);
  CHECK(mode_of(tree / "etc/mc-dir/owned.conf") == 0640);
  CHECK(mode_of(tree / "etc/ssh/sshd_config.d/40-mc.conf") == 0600);
  CHECK(mode_of(tree / "etc/mc-dir") == 0750);
  CHECK(mode_of(tree / "etc/sec.d") == 0700);
  CHECK(mode_of(tree / "etc/ssh") == 0755);  // a parent Ignition would create
  CHECK(fs::read_symlink(tree / "usr/local/bin/hi") == "hello");
  CHECK(!fs::exists(tree / "etc/systemd/system/debug-shell.service"));
}

TEST_CASE("render.json lists every path of the tree, with its type and mode") {
  TempDir tmp;
  const fs::path dir = fs::path(tmp.path()) / "out";
  REQUIRE(write_output_dir(clean_plan("full.yaml"), dir.string()).ok());
  const auto doc = nlohmann::json::parse(slurp(dir / "render.json"));
  CHECK(doc["source"] == "99-worker-full");
  std::set<std::string> listed;
  for (const auto& e : doc["paths"]) {
    const std::string path = e["path"];
    listed.insert(path);
    const fs::path on_disk = dir / "tree" / path.substr(1);
    CHECK_MESSAGE(fs::symlink_status(on_disk).type() != fs::file_type::not_found, path);
    if (e["type"] != "link") {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%04o", mode_of(on_disk));
      CHECK_MESSAGE(e["mode"] == buf, path);
    }
  }
  // Every non-directory in the tree is listed (parent directories are implicit).
  for (const auto& e : fs::recursive_directory_iterator(dir / "tree"))
    if (!fs::is_directory(fs::symlink_status(e.path())))
      CHECK_MESSAGE(listed.count("/" + e.path().lexically_relative(dir / "tree").string()) == 1,
                    e.path().string());
  CHECK(doc["counts"]["files"] == 12);
  CHECK(doc["counts"]["links"] == 2);
  CHECK(doc["units"]["mask"][0] == "debug-shell.service");
}

TEST_CASE("the kargs.d file parses as TOML and holds the kernel arguments plus fips=1") {
  TempDir tmp;
  const fs::path dir = fs::path(tmp.path()) / "out";
  REQUIRE(write_output_dir(clean_plan("full.yaml"), dir.string()).ok());
  const auto table =
      toml::parse_file((dir / "tree/usr/lib/bootc/kargs.d/10-machineconfig.toml").string());
  const auto* kargs = table["kargs"].as_array();
  REQUIRE(kargs != nullptr);
  std::vector<std::string> got;
  for (const auto& k : *kargs) got.push_back(k.value<std::string>().value_or("?"));
  CHECK(got == std::vector<std::string>{"nosmt", "systemd.unified_cgroup_hierarchy=1", "fips=1"});
}

TEST_CASE("kargs with quotes and backslashes survive the TOML round trip") {
  MachineConfig mc;
  mc.name = "q";
  mc.kernel_arguments = {"a=\"b c\"", "x=\\y", "tab\t"};
  std::vector<std::string> problems;
  const RenderPlan plan = plan_render(mc, {"base", ""}, problems);
  const auto table =
      toml::parse(file_at(plan, "/usr/lib/bootc/kargs.d/10-machineconfig.toml").contents);
  const auto* kargs = table["kargs"].as_array();
  REQUIRE(kargs != nullptr);
  REQUIRE(kargs->size() == 3);
  CHECK((*kargs)[0].value<std::string>() == "a=\"b c\"");
  CHECK((*kargs)[1].value<std::string>() == "x=\\y");
  CHECK((*kargs)[2].value<std::string>() == "tab\t");
}

TEST_CASE("rendering twice gives byte-identical directories with fixed times") {
  TempDir tmp;
  for (const char* fixture : {"full.yaml", "mco-worker.yaml"}) {
    const fs::path a = fs::path(tmp.path()) / (std::string(fixture) + ".a");
    const fs::path b = fs::path(tmp.path()) / (std::string(fixture) + ".b");
    REQUIRE(write_output_dir(clean_plan(fixture), a.string()).ok());
    REQUIRE(write_output_dir(clean_plan(fixture), b.string()).ok());
    const auto sa = snapshot(a);
    CHECK(sa == snapshot(b));
    CHECK(sa.size() > 10);
    for (const auto& entry : sa)  // doctest's macros are lambdas: no structured bindings (clang 14)
      CHECK_MESSAGE(entry.second.find(" 0") != std::string::npos, entry.first);
  }
}

TEST_CASE("a non-empty output directory is refused and left alone") {
  TempDir tmp;
  std::ofstream(fs::path(tmp.path()) / "keep") << "x";
  const auto r = write_output_dir(clean_plan("full.yaml"), tmp.path());
  REQUIRE(!r);
  CHECK(r.error().message.find("not empty") != std::string::npos);
  CHECK(!fs::exists(fs::path(tmp.path()) / "tree"));
}

TEST_CASE("apply.sh sets exact owners and modes; the Containerfile has every step") {
  const RenderPlan plan = clean_plan("full.yaml");
  const std::string script = apply_script(plan);
  CHECK(script.find("\nd '/etc/mc-dir' 0750 '0:core'\n") != std::string::npos);
  CHECK(script.find("\nf '/etc/mc-dir/owned.conf' 0640 'core:core'\n") != std::string::npos);
  CHECK(script.find("\nl '/etc/mc-localtime' '/usr/share/zoneinfo/UTC' '1000:1000'\n") !=
        std::string::npos);
  CHECK(script.find("d '/etc/mc-dir'") < script.find("f '/etc/mc-dir/owned.conf'"));
  const std::string cf = containerfile_text(plan);
  CHECK(cf.find("\nFROM quay.io/example/rhcos@sha256:") != std::string::npos);
  CHECK(cf.find("RUN --mount=type=bind,source=.,target=/run/imageswitch-render") !=
        std::string::npos);
  CHECK(cf.find("systemctl enable 'hello.service'") != std::string::npos);
  CHECK(cf.find("systemctl disable 'quiet.service'") != std::string::npos);
  CHECK(cf.find("systemctl mask 'debug-shell.service'") != std::string::npos);
  CHECK(cf.find("systemctl preset 'preset-me.service'") != std::string::npos);
  CHECK(cf.find("--install 'kernel-rt-core'") != std::string::npos);
  CHECK(cf.find("rpm-ostree install 'krb5-workstation' 'libkadm5' 'usbguard'") !=
        std::string::npos);
  CHECK(cf.find("then bootc container lint; fi\n") != std::string::npos);
  CHECK(shell_quote("it's") == "'it'\\''s'");
}
