// The comparison table: one line per case → the verdict containers/image (skopeo 1.18, policy
// evaluation in signature/policy_eval*.go) gives, run against the real docker-registry of
// tests/fixtures/registry_fixture.py with openssl-made and real cosign signatures. To add a case,
// add a row; placeholders: {plain} {auth} {tls} {fake} (registry hosts), {key:NAME} (public key
// path), {ref:IMAGE} (tagged reference), {digest:IMAGE} (per-platform digest).
#include <doctest/doctest.h>

#include <regex>

#include "registry_image_trust.h"
#include "trust_fixture.h"

using namespace imageswitch;
using fixture::Case;
using fixture::registries;

namespace {

enum class Verdict { Accept, Reject, LocalFile, Temporary };  // exit 0, 1, 2, 75

struct Row {
  const char* name;
  const char* reference;
  const char* policy;  // "" = sigstoreSigned by {key:ec}, default signedIdentity
  Verdict expected;
  const char* needle = "";                // part of the message (rejections)
  const char* registries_d = "";          // "" = default-docker: use-sigstore-attachments: true
  const char* registries_conf = nullptr;  // nullptr = the fixture's (insecure local registries)
  const char* auth = "";                  // auth file text
  bool needs_cosign = false;
};

const char* kMatchRepo =
    R"({"default":[{"type":"sigstoreSigned","keyPath":"{key:ec}","signedIdentity":{"type":"matchRepository"}}]})";

const Row kRows[] = {
    {"tag identity, default", "{ref:multi}",
     R"({"default":[{"type":"sigstoreSigned","keyPath":"{key:rsa}"}]})", Verdict::Accept},
    {"index, per-platform signature", "{ref:signed}", "", Verdict::Accept},
    {"repository-only identity by tag", "{ref:repoonly}", "", Verdict::Reject,
     "matchRepository or exactRepository"},
    {"repository-only identity by digest", "{plain}/os/repoonly@{digest:repoonly}", "",
     Verdict::Reject, "does not match"},
    {"repository-only identity, matchRepository", "{plain}/os/repoonly@{digest:repoonly}",
     kMatchRepo, Verdict::Accept},
    {"repository-only identity, exactRepository", "{ref:repoonly}",
     R"({"default":[{"type":"sigstoreSigned","keyPath":"{key:ec}","signedIdentity":{"type":"exactRepository","dockerRepository":"{plain}/os/repoonly"}}]})",
     Verdict::Accept},
    {"repository-only identity, remapIdentity", "{plain}/os/repoonly@{digest:repoonly}",
     R"({"default":[{"type":"sigstoreSigned","keyPath":"{key:ec}","signedIdentity":{"type":"remapIdentity","prefix":"{plain}/os","signedPrefix":"{plain}/os"}}]})",
     Verdict::Reject, "does not match"},
    {"cosign 2.x by tag", "{ref:cosign}",
     R"({"default":[{"type":"sigstoreSigned","keyPath":"{key:cosign}"}]})", Verdict::Reject,
     "does not match", "", nullptr, "", true},
    {"cosign 2.x by digest", "{plain}/os/cosign@{digest:cosign}",
     R"({"default":[{"type":"sigstoreSigned","keyPath":"{key:cosign}"}]})", Verdict::Reject,
     "does not match", "", nullptr, "", true},
    {"cosign 2.x, matchRepository", "{ref:cosign}",
     R"({"default":[{"type":"sigstoreSigned","keyPath":"{key:cosign}","signedIdentity":{"type":"matchRepository"}}]})",
     Verdict::Accept, "", "", nullptr, "", true},
    {"duplicate docker-manifest-digest", "{ref:dupdigest}", "", Verdict::Reject,
     "duplicate key 'docker-manifest-digest'"},
    {"duplicate critical", "{ref:dupcritical}", "", Verdict::Reject, "duplicate key 'critical'"},
    {"unsigned", "{ref:unsigned}", "", Verdict::Reject, "no sigstore signatures found"},
    {"untrusted key", "{ref:wrongkey}", "", Verdict::Reject, "signature does not match"},
    {"signature moved to another digest", "{ref:moved}", "", Verdict::Reject,
     "signature is for digest"},
    {"registries.d: repository scope sets only lookaside", "{ref:signed}", "", Verdict::Accept, "",
     "default-docker:\n  use-sigstore-attachments: true\ndocker:\n  {plain}/os/signed:\n    "
     "lookaside: file:///var/lib/containers/sigstore\n"},
    {"registries.d: namespace true, repository lookaside, default false", "{ref:signed}", "",
     Verdict::Accept, "",
     "default-docker:\n  use-sigstore-attachments: false\ndocker:\n  {plain}/os:\n    "
     "use-sigstore-attachments: true\n  {plain}/os/signed:\n    lookaside: file:///x\n"},
    {"registries.d: attachments off", "{ref:signed}", "", Verdict::Reject,
     "use-sigstore-attachments", "default-docker:\n  lookaside: file:///x\n"},
    {"registries.d: YAML complex key", "{ref:signed}", "", Verdict::LocalFile, "registries.d",
     "docker:\n  ? [a, b]\n  : {use-sigstore-attachments: true}\n"},
    {"policy.json missing", "{ref:signed}", "-", Verdict::LocalFile, "Failed to read policy"},
    {"policy.json with a duplicate key", "{ref:signed}",
     R"({"default":[{"type":"reject"}],"default":[{"type":"insecureAcceptAnything"}]})",
     Verdict::LocalFile, "duplicate key 'default'"},
    {"plain HTTP registry not marked insecure", "{ref:signed}", "", Verdict::LocalFile,
     "plain HTTP", "", ""},
    {"TLS registry, CA not in certs.d", "{ref:tls}", "", Verdict::LocalFile, "not trusted"},
    {"htpasswd registry, no credentials", "{ref:private}", "", Verdict::LocalFile,
     "has no credentials for"},
    {"htpasswd registry, wrong password", "{ref:private}", "", Verdict::Reject, "401", "", nullptr,
     R"({"auths":{"{auth}":{"auth":"Zml4dHVyZTp3cm9uZw=="}}})"},
    {"token registry, wrong password", "{fake}/private/x:v1",
     R"({"default":[{"type":"insecureAcceptAnything"}]})", Verdict::Reject, "token", "", nullptr,
     R"({"auths":{"{fake}":{"auth":"YWxpY2U6d3Jvbmc="}}})"},
    {"registry answers 5xx/429", "{fake}/busy/x:v1",
     R"({"default":[{"type":"insecureAcceptAnything"}]})", Verdict::Temporary, "429"},
};

std::string expand(std::string s) {
  auto& r = registries();
  const std::pair<const char*, std::string> hosts[] = {{"{plain}", r.host("plain")},
                                                       {"{auth}", r.host("auth")},
                                                       {"{tls}", r.host("tls")},
                                                       {"{fake}", r.fake_host()}};
  for (const auto& [from, to] : hosts)
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from))
      s.replace(pos, std::string(from).size(), to);
  std::smatch m;
  static const std::regex field(R"(\{(key|ref|digest):([a-z0-9]+)\})");
  while (std::regex_search(s, m, field)) {
    std::string kind = m[1], name = m[2];
    std::string value =
        kind == "key" ? r.key(name)
        : kind == "ref"
            ? r.image(name)
            : r.image(name, r.info["images"][name].contains("digest") ? "digest" : "amd64");
    s.replace(m.position(0), m.length(0), value);
  }
  return s;
}

Verdict verdict_of(ErrorKind kind) {
  return kind == ErrorKind::Usage      ? Verdict::LocalFile
         : kind == ErrorKind::Degraded ? Verdict::Reject
                                       : Verdict::Temporary;
}

}  // namespace

TEST_CASE("comparison table: the verdicts of containers/image") {
  auto& r = registries();
  const bool cosign = r.info.value("cosign", false);
  for (const Row& row : kRows) {
    if (row.needs_cosign && !cosign) continue;
    INFO(row.name);
    std::string policy = row.policy[0]
                             ? row.policy
                             : R"({"default":[{"type":"sigstoreSigned","keyPath":"{key:ec}"}]})";
    Case c(policy == "-" ? "{}" : expand(policy));
    if (policy == "-") std::filesystem::remove(c.settings.policy_file);
    if (row.registries_d[0])
      fixture::spit(c.settings.registries_d + "/default.yaml", expand(row.registries_d));
    if (row.registries_conf) fixture::spit(c.settings.registries_conf, expand(row.registries_conf));
    if (row.auth[0]) fixture::spit(c.settings.auth_file, expand(row.auth));
    HttpOptions fast;
    fast.backoff = std::chrono::milliseconds(20);
    fast.retry_after_cap = std::chrono::milliseconds(50);
    RegistryImageTrust trust(c.settings, fast);
    auto result = check_image(trust, expand(row.reference));
    const std::string message = result ? "" : result.error().message;
    INFO(message);
    CHECK((result ? Verdict::Accept : verdict_of(result.error().kind)) == row.expected);
    if (!result) CHECK(message.find(expand(row.needle)) != std::string::npos);
  }
}
