#include "services.h"

#include <cstdlib>
#include <ctime>

#include "cluster_factory.h"
#include "fileutil.h"
#include "host_factory.h"
#include "image_trust.h"

namespace imageswitch {

Services ServiceSet::view() {
  return Services{*source, *host, *trust, cluster.get(), gate.get(), read_boot_id, [] {
                    return static_cast<std::int64_t>(std::time(nullptr));
                  }};
}

std::string read_boot_id() {
  std::string path = "/proc/sys/kernel/random/boot_id";
#ifdef IMAGESWITCH_FAILPOINTS
  if (const char* p = std::getenv("IMAGESWITCH_BOOT_ID_FILE")) path = p;
#endif
  auto text = read_file(path, 4096);
  if (!text) return {};
  std::string id = *text;
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

Result<ServiceSet> make_services(const Settings& settings) {
  ServiceSet set;
  set.source = make_desired_source(settings);
  set.host = make_host_backend(settings);
  set.trust = make_image_trust(settings);
  set.cluster = make_cluster(settings);
  if (settings.coordination.kind != "none") set.gate = make_gate(settings);
  if (!set.source || !set.host || !set.trust)
    return make_error(ErrorKind::Usage, "Failed to set up: source '" + settings.source +
                                            "' or backend '" + settings.backend + "' is unknown");
  return set;
}

}  // namespace imageswitch
