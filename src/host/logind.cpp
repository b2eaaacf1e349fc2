#include "logind.h"

#include "bus.h"

namespace imageswitch {

namespace {

constexpr const char* kService = "org.freedesktop.login1";
constexpr const char* kPath = "/org/freedesktop/login1";
constexpr const char* kInterface = "org.freedesktop.login1.Manager";

/// Opens the system bus with a bounded call timeout.
Result<BusPtr> open_bus() {
  auto bus = open_system_bus();
  if (!bus) return bus.error();
  set_call_timeout(bus->get(), std::chrono::seconds(30));
  return bus;
}

Result<std::string> can_reboot(sd_bus* bus) {
  BusError error;
  sd_bus_message* raw = nullptr;
  int r = sd_bus_call_method(bus, kService, kPath, kInterface, "CanReboot", error.get(), &raw, "");
  MessagePtr reply(raw);
  if (r < 0) {
    return make_error(
        ErrorKind::Temporary,
        "Failed to ask systemd-logind whether a reboot is allowed: " + error.describe(r));
  }
  const char* answer = nullptr;
  r = sd_bus_message_read(reply.get(), "s", &answer);
  if (r < 0 || answer == nullptr) {
    return make_error(ErrorKind::Temporary, "Failed to read systemd-logind's CanReboot reply");
  }
  return std::string(answer);
}

}  // namespace

Result<std::string> logind_can_reboot() {
  auto bus = open_bus();
  if (!bus) return bus.error();
  return can_reboot(bus->get());
}

Result<void> logind_reboot() {
  auto bus = open_bus();
  if (!bus) return bus.error();
  auto answer = can_reboot(bus->get());
  if (!answer) return answer.error();
  if (*answer == "na" || *answer == "no") {
    return make_error(ErrorKind::Degraded,
                      "Failed to reboot: systemd-logind answers CanReboot '" + *answer +
                          "' (not permitted for this service; check polkit rules and the "
                          "service's SELinux domain)");
  }
  BusError error;
  const int r = sd_bus_call_method(bus->get(), kService, kPath, kInterface, "Reboot", error.get(),
                                   nullptr, "b", 0);
  if (r < 0) {
    return make_error(ErrorKind::Temporary,
                      "Failed to request a reboot from systemd-logind: " + error.describe(r));
  }
  return {};
}

}  // namespace imageswitch
