#include "host_factory.h"

#include <cstdlib>

#include "bootc.h"
#include "rpmostree.h"

namespace imageswitch {

std::unique_ptr<HostBackend> make_host_backend(const Settings& settings) {
  if (settings.backend == "bootc") {
    BootcOptions options;
    if (const char* path = std::getenv("IMAGESWITCH_BOOTC"); path != nullptr && *path != '\0') {
      options.executable = path;
    }
    return std::make_unique<BootcBackend>(std::move(options));
  }
  if (settings.backend == "rpm-ostree") return std::make_unique<RpmOstreeBackend>();
  return nullptr;
}

}  // namespace imageswitch
