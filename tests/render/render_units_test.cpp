// The small pieces of imageswitch-render: data URLs, gzip, YAML typing, JSON input, path and
// name rules, kernel types and the extension map.
#include <doctest/doctest.h>
#include <zlib.h>

#include "data_url.h"
#include "fixture.h"
#include "image_paths.h"
#include "packages.h"

using namespace imageswitch;
using namespace imageswitch::test;

namespace {

/// `text` gzipped by zlib itself (an independent encoder for the round trip).
std::string gzip_of(const std::string& text) {
  z_stream s{};
  REQUIRE(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&s, text.size()) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = static_cast<uInt>(text.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

}  // namespace

TEST_CASE("data URLs: percent-encoded, base64, media types, errors") {
  CHECK(*decode_data_url("data:,a%20b%0A") == "a b\n");
  CHECK(*decode_data_url("data:,") == "");
  CHECK(*decode_data_url("data:text/plain;charset=utf-8,x%2Fy") == "x/y");
  CHECK(*decode_data_url("data:;base64,aGVsbG8=") == "hello");
  CHECK(*decode_data_url("data:application/octet-stream;BASE64,aGVsbG8=") == "hello");
  CHECK(*decode_data_url("DATA:,caps") == "caps");
  CHECK(!decode_data_url("data:no-comma"));
  CHECK(!decode_data_url("data:,%4"));
  CHECK(!decode_data_url("data:,%g0"));
  CHECK(!decode_data_url("data:;base64,***"));
  CHECK(!decode_data_url("https://example.com/x"));
  CHECK(url_scheme("HTTPS://x") == "https");
  CHECK(url_scheme("/etc/x").empty());
}

TEST_CASE("gzip: round trip, truncation, trailing bytes, not gzip") {
  const std::string text(100000, 'z');
  const std::string gz = gzip_of(text);
  CHECK(*gunzip(gz) == text);
  CHECK(!gunzip(gz.substr(0, gz.size() / 2)));
  CHECK(!gunzip(gz + "xx"));
  CHECK(!gunzip("plain text"));
  CHECK(!gunzip(""));
}

TEST_CASE("gzip: a bomb stops at the size limit") {
  const std::string huge(kMaxFileBytes + 1, '\0');
  const auto r = gunzip(gzip_of(huge));
  REQUIRE(!r);
  CHECK(r.error().message.find("64 MiB") != std::string::npos);
}

TEST_CASE("YAML scalars are typed as go-yaml v2 types them; quoted ones stay strings") {
  auto doc =
      load_document("a: 420\nb: 0644\nc: true\nd: \"true\"\ne: ~\nf: 3.1.0\ng: '12'\nh: 0x1F\n");
  REQUIRE(doc.ok());
  CHECK((*doc)["a"] == 420);
  CHECK((*doc)["b"] == 420);
  CHECK((*doc)["c"] == true);
  CHECK((*doc)["d"] == "true");
  CHECK((*doc)["e"].is_null());
  CHECK((*doc)["f"] == "3.1.0");
  CHECK((*doc)["g"] == "12");
  CHECK((*doc)["h"] == 31);
  CHECK(!load_document("a: [unclosed"));
  CHECK(!load_document("{\"a\": "));
}

TEST_CASE("a repeated key is refused in YAML and JSON, as the API server's strict decoding does") {
  auto yaml = load_document("spec:\n  kernelArguments: [a]\n  kernelArguments: [b]\n");
  REQUIRE(!yaml);
  CHECK(yaml.error().message == "key 'kernelArguments' given twice");
  auto json = load_document(R"({"spec":{"osImageURL":"a","osImageURL":"b"}})");
  REQUIRE(!json);
  CHECK(json.error().message == "JSON document: duplicate key 'osImageURL'");
  CHECK(load_document("a: {k: 1}\nb: {k: 2}\n").ok());  // the same key in two mappings is fine
}

TEST_CASE("YAML aliases cannot expand a document without bound (billion laughs)") {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i)
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) +
            ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + "]\n";
  const auto r = load_document(text);
  REQUIRE(!r);
  CHECK(r.error().message.find("too many values") != std::string::npos);
}

TEST_CASE("JSON input gives the same plan as the YAML it was converted from") {
  auto doc = load_document(fixture_text("full.yaml"));
  REQUIRE(doc.ok());
  const std::string json_text = doc->dump();
  ParsedMachineConfig from_json = parse_machineconfig(json_text, "");
  REQUIRE(from_json.problems.empty());
  const RenderPlan a = plan_render(from_json.config, {}, from_json.problems);
  const RenderPlan b = clean_plan("full.yaml");
  REQUIRE(a.files.size() == b.files.size());
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    CHECK(a.files[i].path == b.files[i].path);
    CHECK(a.files[i].contents == b.files[i].contents);
    CHECK(a.files[i].mode == b.files[i].mode);
  }
}

TEST_CASE("a document that is not a MachineConfig is one clear problem, never an exception") {
  for (const char* text : {"", "[]", "kind: Pod\napiVersion: v1\n", "{}", "- a\n- b\n", "\t:::"}) {
    ParsedMachineConfig parsed = parse_machineconfig(text, "");
    CHECK_MESSAGE(!parsed.problems.empty(), text);
  }
}

TEST_CASE("paths: absolute, normalised, inside the image") {
  CHECK(image_path_problem("/etc/x").empty());
  CHECK(image_path_problem("/usr/local/bin/x").empty());
  CHECK(image_path_problem("/variable/x").empty());  // not /var
  CHECK(image_path_problem("/var").find("/var is machine state") != std::string::npos);
  CHECK(!image_path_problem("/var/x").empty());
  CHECK(!image_path_problem("/").empty());
  CHECK(!image_path_problem("").empty());
  CHECK(image_path_problem("/a/../../b").find("write \"/b\"") != std::string::npos);
  CHECK(!image_path_problem(std::string("/etc/a\0b", 8)).empty());
  CHECK(is_below("/a/b", "/a"));
  CHECK(!is_below("/ab", "/a"));
  CHECK(!is_below("/a", "/a"));
}

TEST_CASE("unit and drop-in names") {
  CHECK(unit_name_problem("kubelet.service").empty());
  CHECK(unit_name_problem("getty@tty1.service").empty());
  CHECK(unit_name_problem("dev-disk-by\\x2dlabel.device").empty());
  CHECK(!unit_name_problem("a b.service").empty());
  CHECK(!unit_name_problem("$(reboot).service").empty());
  CHECK(!unit_name_problem("../x.service").empty());
  CHECK(!unit_name_problem(".service").empty());
  CHECK(dropin_name_problem("10-x.conf").empty());
  CHECK(!dropin_name_problem("x.txt").empty());
  CHECK(!dropin_name_problem("a/b.conf").empty());
}

TEST_CASE("kernel types per architecture and the extension map") {
  CHECK(kernel_type_problem("default", "").empty());
  CHECK(kernel_type_problem("realtime", "x86_64").empty());
  CHECK(kernel_type_problem("64k-pages", "aarch64").empty());
  CHECK(!kernel_type_problem("64k-pages", "x86_64").empty());
  CHECK(!kernel_type_problem("rt", "").empty());
  CHECK(canonical_arch("arm64") == "aarch64");
  CHECK(canonical_arch("amd64") == "x86_64");
  CHECK(canonical_arch("riscv64").empty());
  CHECK(kernel_swap("default").install.empty());
  CHECK(kernel_swap("64k-pages").install.front() == "kernel-64k-core");
  CHECK(extension_packages("ipsec") ==
        std::vector<std::string>{"NetworkManager-libreswan", "libreswan"});
  CHECK(extension_packages("wasm") == std::vector<std::string>{"crun-wasm"});
  CHECK(extension_packages("sandboxed-containers") == std::vector<std::string>{"kata-containers"});
  CHECK(extension_packages("two-node-ha").empty());
}
