// MachineConfig → typed config plus every problem (see machineconfig.h). The object's shape is
// machineconfiguration.openshift.io/v1 MachineConfig (openshift/api machineconfiguration/v1
// types.go MachineConfigSpec); spec.config is an Ignition 3.x config (coreos/ignition
// config/v3_5/types). The MCO snapshots remote sources when it renders, so only inline data is
// accepted.
#include "machineconfig.h"

#include <regex>

#include "image_paths.h"
#include "mc_fields.h"
#include "packages.h"

namespace imageswitch {
namespace {

using nlohmann::json;

void parse_ignition_header(const json& ign, const std::string& at, MachineConfig& config,
                           Problems& problems) {
  if (!require_object(ign, at, problems)) return;
  check_fields(ign, {"version", "config", "proxy", "security", "timeouts"}, at, problems);
  config.ignition_version = opt_string(ign, "version", at, problems).value_or("");
  static const std::regex v3(R"(3\.[0-9]+\.[0-9]+)");
  if (!std::regex_match(config.ignition_version, v3))
    problems.add(at + ".version", "Ignition version \"" + config.ignition_version +
                                      "\" is not 3.x (only spec 3 configs are rendered; the MCO "
                                      "translates older ones when it renders a pool's config)");
  if (const auto it = ign.find("config"); it != ign.end() && !it->is_null()) {
    const bool empty = it->is_object() &&
                       opt_array(*it, "merge", at + ".config", problems).empty() &&
                       (!it->contains("replace") || (*it)["replace"].is_null() ||
                        ((*it)["replace"].is_object() && !(*it)["replace"].contains("source")));
    if (!empty)
      problems.add(at + ".config",
                   "merged or replaced remote configs are refused: render the "
                   "full config inline");
  }
}

void parse_config(const json& cfg, const std::string& at, MachineConfig& config,
                  Problems& problems) {
  if (!require_object(cfg, at, problems)) return;
  check_fields(cfg, {"ignition", "kernelArguments", "passwd", "storage", "systemd"}, at, problems);
  if (const auto it = cfg.find("ignition"); it != cfg.end())
    parse_ignition_header(*it, at + ".ignition", config, problems);
  else
    problems.add(at + ".ignition.version", "missing: an Ignition config names its version");
  if (const auto it = cfg.find("kernelArguments");
      it != cfg.end() && !it->is_null() && !(it->is_object() && it->empty()))
    problems.add(at + ".kernelArguments",
                 "Ignition kernel arguments are refused; use the "
                 "MachineConfig's spec.kernelArguments");
  if (const auto it = cfg.find("passwd"); it != cfg.end() && !it->is_null())
    parse_passwd(*it, at + ".passwd", problems);
  if (const auto it = cfg.find("storage"); it != cfg.end() && !it->is_null())
    parse_storage(*it, at + ".storage", config, problems);
  if (const auto it = cfg.find("systemd"); it != cfg.end() && !it->is_null())
    parse_systemd(*it, at + ".systemd", config, problems);
}

std::vector<std::string> string_list(const json& spec, const char* key, Problems& problems) {
  std::vector<std::string> out;
  const json& list = opt_array(spec, key, "spec", problems);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].is_string()) {
      out.push_back(list[i].get<std::string>());
    } else {
      problems.add("spec." + std::string(key) + "[" + std::to_string(i) + "]", "must be a string");
    }
  }
  return out;
}

void parse_kernel_arguments(const json& spec, MachineConfig& config, Problems& problems) {
  config.kernel_arguments = string_list(spec, "kernelArguments", problems);
  for (std::size_t i = 0; i < config.kernel_arguments.size(); ++i) {
    const std::string& karg = config.kernel_arguments[i];
    const bool bad =
        karg.empty() || karg.find_first_of(std::string(" \t\n\r\0", 5)) != std::string::npos;
    if (bad)
      problems.add("spec.kernelArguments[" + std::to_string(i) + "]",
                   "\"" + karg + "\" is empty or contains white space; give one argument per item");
  }
}

void parse_spec(const json& spec, std::string_view arch, MachineConfig& config,
                Problems& problems) {
  if (!require_object(spec, "spec", problems)) return;
  check_fields(spec,
               {"osImageURL", "baseOSExtensionsContainerImage", "config", "kernelArguments",
                "extensions", "fips", "kernelType"},
               "spec", problems);
  config.os_image_url = opt_string(spec, "osImageURL", "spec", problems).value_or("");
  parse_kernel_arguments(spec, config, problems);
  config.extensions = string_list(spec, "extensions", problems);
  for (std::size_t i = 0; i < config.extensions.size(); ++i)
    if (extension_packages(config.extensions[i]).empty())
      problems.add("spec.extensions[" + std::to_string(i) + "]",
                   "unknown extension \"" + config.extensions[i] +
                       "\"; the MCO supports: " + supported_extensions_list());
  config.fips = opt_bool(spec, "fips", "spec", problems).value_or(false);
  config.kernel_type = opt_string(spec, "kernelType", "spec", problems).value_or("");
  if (config.kernel_type.empty()) config.kernel_type = "default";  // CanonicalizeKernelType
  if (const std::string why = kernel_type_problem(config.kernel_type, arch); !why.empty())
    problems.add("spec.kernelType", why);
  if (const auto it = spec.find("config"); it != spec.end() && !it->is_null())
    parse_config(*it, "spec.config", config, problems);
}

}  // namespace

ParsedMachineConfig parse_machineconfig(std::string_view text, std::string_view arch) {
  ParsedMachineConfig out;
  Problems problems(out.problems);
  auto doc = load_document(text);
  if (!doc) {
    problems.add("document", doc.error().message);
    return out;
  }
  const json& root = *doc;
  if (!require_object(root, "document", problems)) return out;
  check_fields(root, {"apiVersion", "kind", "metadata", "spec"}, "document", problems);
  if (opt_string(root, "apiVersion", "document", problems).value_or("") !=
      "machineconfiguration.openshift.io/v1")
    problems.add("apiVersion", "must be \"machineconfiguration.openshift.io/v1\"");
  if (opt_string(root, "kind", "document", problems).value_or("") != "MachineConfig")
    problems.add("kind",
                 "must be \"MachineConfig\" (give one object, as `oc get mc NAME -o yaml` "
                 "prints it)");
  if (const auto it = root.find("metadata"); it != root.end() && it->is_object())
    out.config.name = opt_string(*it, "name", "metadata", problems).value_or("");
  static const std::regex dns_name(R"([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)");
  if (!std::regex_match(out.config.name, dns_name))
    problems.add("metadata.name", "\"" + out.config.name + "\" is not a Kubernetes object name");
  if (const auto it = root.find("spec"); it != root.end())
    parse_spec(*it, arch, out.config, problems);
  else
    problems.add("spec", "missing");
  return out;
}

}  // namespace imageswitch
