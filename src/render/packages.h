// RPM packages behind MachineConfig extensions and kernelType, as the machine-config operator
// maps them today.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace imageswitch {

/// The packages of `extension` (openshift/machine-config-operator pkg/controller/common
/// SupportedExtensions()); empty when the MCO does not support it.
std::vector<std::string> extension_packages(std::string_view extension);

/// The supported extension names, sorted, for error messages.
std::string supported_extensions_list();

/// The rpm-ostree override line arguments for `kernel_type` ("realtime", "64k-pages"): packages
/// removed and installed (pkg/daemon/update.go getKernelPackagesForTargetRelease); empty for
/// "default".
struct KernelSwap {
  std::vector<std::string> remove;
  std::vector<std::string> install;
};
KernelSwap kernel_swap(std::string_view kernel_type);

/// "" when `kernel_type` is valid for `arch` (canonical rpm name, "" = unknown); otherwise why not.
std::string kernel_type_problem(std::string_view kernel_type, std::string_view arch);

/// The canonical (rpm/uname) name of an architecture given as in Go or rpm ("amd64"/"x86_64",
/// "arm64"/"aarch64", "ppc64le", "s390x"); "" when unknown.
std::string canonical_arch(std::string_view arch);

}  // namespace imageswitch
