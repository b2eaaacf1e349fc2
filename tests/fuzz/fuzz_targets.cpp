// libFuzzer targets for every parser of outside input. One binary per target, compiled with
// -DFUZZ_TARGET_<name> by tests/fuzz/meson.build (-Dfuzz=true, clang). A target passes when no
// input crashes, hangs, leaks or trips a sanitizer; every parser must answer a Result, never
// throw; and what we print or persist must parse back to the same thing (checked, not hoped).
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth_file.h"
#include "bootc.h"
#include "config.h"
#include "desired_file.h"
#include "image_ref.h"
#include "kube_types.h"
#include "kubeconfig.h"
#include "machineconfig.h"
#include "policy.h"
#include "registries_conf.h"
#include "registries_d.h"
#include "registry.h"
#include "render_json.h"
#include "render_plan.h"
#include "signature.h"
#include "state.h"

using namespace imageswitch;

namespace {

/// Stops the fuzzer with `what` when `ok` is false (a round-trip broke).
[[maybe_unused]] void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "round-trip failed: %s\n", what);
  std::abort();
}

/// Feeds `text` to the parser chosen at compile time.
void fuzz_one(const std::string& text) {
#if defined(FUZZ_TARGET_image_ref)
  auto r = parse_image_ref(text);
  if (r) {  // what we print must parse again, to the same reference
    auto again = parse_image_ref(r->string());
    require(again.ok(), "a printed image reference does not parse");
    require(again->string() == r->string(), "a printed image reference changes when re-parsed");
  }
#elif defined(FUZZ_TARGET_manifest)
  (void)platform_digest(text, "amd64", "fuzz");
  (void)platform_digest(text, "arm64", "fuzz");
  (void)signature_layers(text);
#elif defined(FUZZ_TARGET_signature_payload)
  (void)parse_signature_payload(text);
#elif defined(FUZZ_TARGET_policy)
  (void)parse_policy(text, "policy.json");
#elif defined(FUZZ_TARGET_registries_conf)
  (void)parse_registries_conf(text, "registries.conf");
#elif defined(FUZZ_TARGET_registries_d)
  RegistriesD d;
  (void)parse_registries_d_file(text, "fuzz.yaml", d);
#elif defined(FUZZ_TARGET_www_authenticate)
  (void)parse_www_authenticate(text);
#elif defined(FUZZ_TARGET_auth_file)
  (void)parse_auth_file(text, "auth.json");
#elif defined(FUZZ_TARGET_kubeconfig)
  (void)parse_kubeconfig(text, "kubeconfig", "/nonexistent");
#elif defined(FUZZ_TARGET_kube_objects)
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    (void)parse_node(j);
    (void)parse_pod(j);
  }
#elif defined(FUZZ_TARGET_state)
  auto state = parse_state(text);
  if (state) {  // what we persist must load again, unchanged
    const std::string saved = serialize_state(*state);
    auto again = parse_state(saved);
    require(again.ok(), "a serialized state does not parse");
    require(serialize_state(*again) == saved, "a serialized state changes when re-loaded");
  }
#elif defined(FUZZ_TARGET_config)
  (void)parse_config(text, "config.json");
  (void)parse_desired_text(text, "desired-image");
#elif defined(FUZZ_TARGET_machineconfig)
  for (const char* arch : {"", "aarch64"}) {  // imageswitch-render's MachineConfig parser
    ParsedMachineConfig parsed = parse_machineconfig(text, arch);
    RenderPlan plan = plan_render(parsed.config, {"localhost/base", arch}, parsed.problems);
    if (parsed.problems.empty()) (void)render_json_text(plan);
  }
#elif defined(FUZZ_TARGET_bootc_status)
  (void)parse_bootc_status(text);
#else
#error "define FUZZ_TARGET_<name>"
#endif
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
