#include "rpmostree.h"

#include <array>
#include <cstring>
#include <string_view>

#include "rpmostree_transaction.h"
#include "text.h"

namespace imageswitch {

namespace {

constexpr const char* kService = "org.projectatomic.rpmostree1";
constexpr const char* kSysrootPath = "/org/projectatomic/rpmostree1/Sysroot";
constexpr const char* kSysrootInterface = "org.projectatomic.rpmostree1.Sysroot";
constexpr const char* kOsInterface = "org.projectatomic.rpmostree1.OS";
constexpr const char* kClientId = "imageswitch";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Error temporary(std::string message) {
  return make_error(ErrorKind::Temporary, std::move(message));
}

/// Calls Sysroot.RegisterClient or UnregisterClient with `options`.
int call_client_method(sd_bus* bus, const char* method, bool with_id, BusError& error) {
  sd_bus_message* raw = nullptr;
  int r =
      sd_bus_message_new_method_call(bus, &raw, kService, kSysrootPath, kSysrootInterface, method);
  if (r < 0) return r;
  MessagePtr call(raw);
  std::vector<std::pair<std::string, DictValue>> entries;
  if (with_id) entries.emplace_back("id", std::string(kClientId));
  r = append_dict(call.get(), entries);
  if (r < 0) return r;
  return sd_bus_call(bus, call.get(), 0, error.get(), nullptr);
}

}  // namespace

RpmDeployment parse_rpm_deployment(const Dict& dict) {
  RpmDeployment d;
  d.id = dict_string(dict, "id");
  d.osname = dict_string(dict, "osname");
  d.checksum = dict_string(dict, "checksum");
  d.serial = static_cast<int>(dict_int(dict, "serial"));
  d.booted = dict_bool(dict, "booted");
  d.staged = dict_bool(dict, "staged");
  d.finalization_locked = dict_bool(dict, "finalization-locked");
  d.image_reference = dict_string(dict, "container-image-reference");
  d.image_digest = dict_string(dict, "container-image-reference-digest");
  return d;
}

std::string strip_transport(const std::string& ref) {
  std::string_view rest(ref);
  static constexpr std::array<std::string_view, 3> kPlain = {
      "ostree-unverified-registry:", "ostree-unverified-image:", "ostree-image-signed:"};
  static constexpr std::array<std::string_view, 2> kRemote = {"ostree-remote-registry:",
                                                              "ostree-remote-image:"};
  for (auto prefix : kPlain) {
    if (starts_with(rest, prefix)) rest.remove_prefix(prefix.size());
  }
  for (auto prefix : kRemote) {
    if (!starts_with(rest, prefix)) continue;
    rest.remove_prefix(prefix.size());
    if (auto colon = rest.find(':'); colon != std::string_view::npos) rest.remove_prefix(colon + 1);
  }
  for (std::string_view transport : {"docker://", "registry:"}) {
    if (starts_with(rest, transport)) rest.remove_prefix(transport.size());
  }
  return std::string(rest);
}

Deployment to_deployment(const RpmDeployment& d) {
  Deployment out;
  out.id = d.id;
  out.checksum = d.checksum;
  out.osname = d.osname;
  out.serial = d.serial;
  out.image = strip_transport(d.image_reference);
  out.digest = !d.image_digest.empty() ? d.image_digest : digest_of_reference(out.image);
  return out;
}

RpmOstreeBackend::RpmOstreeBackend(RpmOstreeOptions options) : options_(std::move(options)) {}

RpmOstreeBackend::~RpmOstreeBackend() {
  if (!registered_ || !bus_) return;
  BusError error;
  set_call_timeout(bus_.get(), std::chrono::seconds(5));
  call_client_method(bus_.get(), "UnregisterClient", false, error);
}

Result<void> RpmOstreeBackend::connect() {
  if (registered_) return {};
  if (!bus_) {
    auto bus = open_system_bus();
    if (!bus) return bus.error();
    bus_ = std::move(*bus);
    set_call_timeout(bus_.get(), options_.call_timeout);
  }
  int r = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    BusError error;
    r = call_client_method(bus_.get(), "RegisterClient", true, error);
    if (r >= 0) {
      registered_ = true;
      return {};
    }
    if (!error.has_name(SD_BUS_ERROR_NO_REPLY)) {
      return temporary("Failed to register with rpm-ostreed (" + std::string(kService) +
                       "): " + error.describe(r) +
                       "; check that rpm-ostreed is installed and 'systemctl status "
                       "rpm-ostreed' is healthy");
    }
  }
  return temporary("Failed to register with rpm-ostreed: no reply twice (" +
                   std::string(std::strerror(-r)) + "); check 'systemctl status rpm-ostreed'");
}

Result<std::string> RpmOstreeBackend::booted_os() {
  auto path = get_string_property(bus_.get(), kService, kSysrootPath, kSysrootInterface, "Booted");
  if (!path) return wrap("Failed to find the booted OS in rpm-ostreed", path.error());
  if (path->empty() || *path == "/") return temporary("rpm-ostreed reports no booted OS");
  return *path;
}

Result<HostStatus> RpmOstreeBackend::status() {
  TRY(connect());
  auto dicts =
      get_dict_array_property(bus_.get(), kService, kSysrootPath, kSysrootInterface, "Deployments");
  if (!dicts) return wrap("Failed to read deployments from rpm-ostreed", dicts.error());
  HostStatus status;
  for (const Dict& dict : *dicts) {
    const RpmDeployment d = parse_rpm_deployment(dict);
    if (d.booted && !status.booted) status.booted = to_deployment(d);
    if (d.staged && !status.staged) status.staged = to_deployment(d);
  }
  if (!status.booted)
    return temporary("Failed to read deployments: rpm-ostreed lists none as booted");
  return status;
}

Result<MessagePtr> RpmOstreeBackend::call_os(const char* method,
                                             const std::function<int(sd_bus_message*)>& append) {
  TRY(connect());
  auto os = booted_os();
  if (!os) return os.error();
  sd_bus_message* raw = nullptr;
  int r =
      sd_bus_message_new_method_call(bus_.get(), &raw, kService, os->c_str(), kOsInterface, method);
  MessagePtr call(raw);
  if (r >= 0) r = append(call.get());
  if (r < 0)
    return temporary(std::string("Failed to build the ") + method + " call: " + std::strerror(-r));
  BusError error;
  sd_bus_message* reply_raw = nullptr;
  r = sd_bus_call(bus_.get(), call.get(), 0, error.get(), &reply_raw);
  MessagePtr reply(reply_raw);
  if (r < 0)
    return temporary(std::string("rpm-ostreed refused ") + method + ": " + error.describe(r));
  return reply;
}

Result<void> RpmOstreeBackend::transact(const char* method,
                                        const std::function<int(sd_bus_message*)>& append,
                                        const std::function<void()>& on_started) {
  auto reply = call_os(method, append);
  if (!reply) return reply.error();
  const char* address = nullptr;
  int r = sd_bus_message_read(reply->get(), "s", &address);
  if (r < 0 || address == nullptr || address[0] == '\0') {
    return temporary(std::string("rpm-ostreed returned no transaction address for ") + method);
  }
  TransactionOptions topts;
  topts.timeout = options_.transaction_timeout;
  topts.on_progress = options_.on_progress;
  topts.on_started = on_started;
  return run_transaction(address, topts);
}

Result<void> RpmOstreeBackend::stage(const std::string& pinned) {
  if (digest_of_reference(pinned).empty()) {
    return make_error(ErrorKind::Degraded,
                      "Failed to stage '" + pinned + "': the reference is not pinned by digest");
  }
  const std::string refspec = "ostree-unverified-registry:" + pinned;
  auto result = transact("Rebase", [&refspec](sd_bus_message* m) {
    int r = append_dict(m, {{"reboot", false},
                            {"lock-finalization", true},
                            {"initiating-command-line", std::string("imageswitch run")}});
    if (r >= 0) r = sd_bus_message_append(m, "s", refspec.c_str());
    if (r >= 0) r = sd_bus_message_append(m, "as", 0);
    return r;
  });
  if (!result) return wrap("Failed to stage '" + pinned + "'", result.error());
  return {};
}

Result<void> RpmOstreeBackend::cleanup_staged() {
  auto result = transact("Cleanup", [](sd_bus_message* m) {
    return sd_bus_message_append(m, "as", 1, "pending-deploy");
  });
  if (!result) return wrap("Failed to remove the staged deployment", result.error());
  return {};
}

}  // namespace imageswitch
