// Extension and kernel package maps (see packages.h). Upstream sources, checked by hand:
// openshift/machine-config-operator pkg/controller/common/helpers.go SupportedExtensions() and
// pkg/daemon/update.go switchKernel() / getKernelPackagesForTargetRelease().
#include "packages.h"

#include <map>

namespace imageswitch {
namespace {

const std::map<std::string, std::vector<std::string>, std::less<>>& extension_map() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> map{
      {"ipsec", {"NetworkManager-libreswan", "libreswan"}},
      {"kerberos", {"krb5-workstation", "libkadm5"}},
      {"kernel-devel", {"kernel-devel", "kernel-headers"}},
      {"sandboxed-containers", {"kata-containers"}},
      {"sysstat", {"sysstat"}},
      {"usbguard", {"usbguard"}},
      {"wasm", {"crun-wasm"}},
  };
  return map;
}

}  // namespace

std::vector<std::string> extension_packages(std::string_view extension) {
  const auto& map = extension_map();
  const auto it = map.find(extension);
  return it == map.end() ? std::vector<std::string>{} : it->second;
}

std::string supported_extensions_list() {
  std::string out;
  for (const auto& [name, packages] : extension_map()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

KernelSwap kernel_swap(std::string_view kernel_type) {
  const std::vector<std::string> default_kernel{"kernel", "kernel-core", "kernel-modules",
                                                "kernel-modules-core", "kernel-modules-extra"};
  if (kernel_type == "realtime")
    return {default_kernel, {"kernel-rt-core", "kernel-rt-modules", "kernel-rt-modules-extra"}};
  if (kernel_type == "64k-pages")
    return {default_kernel,
            {"kernel-64k-core", "kernel-64k-modules", "kernel-64k-modules-core",
             "kernel-64k-modules-extra"}};
  return {};
}

std::string canonical_arch(std::string_view arch) {
  if (arch == "amd64" || arch == "x86_64") return "x86_64";
  if (arch == "arm64" || arch == "aarch64") return "aarch64";
  if (arch == "ppc64le") return "ppc64le";
  if (arch == "s390x") return "s390x";
  return "";
}

std::string kernel_type_problem(std::string_view kernel_type, std::string_view arch) {
  if (kernel_type == "default" || kernel_type == "realtime") return "";
  if (kernel_type == "64k-pages") {
    if (arch == "aarch64") return "";
    return "kernelType \"64k-pages\" exists on aarch64 only (as in the MCO's switchKernel); " +
           std::string(arch.empty() ? "pass --arch aarch64 when rendering for aarch64"
                                    : "this render is for " + std::string(arch));
  }
  return "kernelType \"" + std::string(kernel_type) +
         "\" is not one of \"default\", \"realtime\", \"64k-pages\"";
}

}  // namespace imageswitch
