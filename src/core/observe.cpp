#include "observe.h"

namespace imageswitch {

NodeLook observe(const Settings& settings, Services& services) {
  LoadedState saved = load_state(settings.state_dir);
  Result<std::string> desired = services.source.desired();
  Result<HostStatus> host = services.host.status();
  return NodeLook{std::move(saved), std::move(desired), std::move(host), services.boot_id(),
                  services.cluster != nullptr};
}

std::optional<Error> observe_error(const NodeLook& look) {
  if (!look.desired) return wrap("Failed to read the desired image", look.desired.error());
  if (!look.host) return wrap("Failed to read the deployments", look.host.error());
  return std::nullopt;
}

Observation observation_of(const NodeLook& look) {
  Observation o;
  if (look.desired) o.desired = *look.desired;
  if (look.host) o.host = *look.host;
  o.boot_id = look.boot_id;
  o.has_cluster = look.has_cluster;
  return o;
}

std::string describe(const std::optional<Deployment>& d) {
  if (!d) return {};
  if (!d->image.empty()) return d->image;
  return d->digest.empty() ? "ostree:" + d->checksum : d->digest;
}

}  // namespace imageswitch
