#include "bus.h"

#include <cstring>

namespace imageswitch {

namespace {

Error bus_error(const std::string& what, int r) {
  return make_error(ErrorKind::Temporary, "Failed to " + what + ": " + std::strerror(-r));
}

/// Reads one variant's scalar into `out`; returns false (after skipping it) for other types.
Result<bool> read_variant(sd_bus_message* m, DictValue& out) {
  char type = 0;
  const char* contents = nullptr;
  int r = sd_bus_message_peek_type(m, &type, &contents);
  if (r < 0) return bus_error("parse D-Bus variant", r);
  const std::string sig = contents != nullptr ? contents : "";
  if (sig.size() != 1 || std::strchr("sogbyqnuixt", sig[0]) == nullptr) {
    r = sd_bus_message_skip(m, "v");
    if (r < 0) return bus_error("skip D-Bus variant", r);
    return false;
  }
  r = sd_bus_message_enter_container(m, 'v', sig.c_str());
  if (r < 0) return bus_error("enter D-Bus variant", r);
  const char c = sig[0];
  if (c == 's' || c == 'o' || c == 'g') {
    const char* s = nullptr;
    r = sd_bus_message_read_basic(m, c, &s);
    if (r >= 0) out = std::string(s != nullptr ? s : "");
  } else if (c == 'b') {
    int b = 0;
    r = sd_bus_message_read_basic(m, c, &b);
    if (r >= 0) out = b != 0;
  } else if (c == 'y') {
    std::uint8_t v = 0;
    r = sd_bus_message_read_basic(m, c, &v);
    if (r >= 0) out = std::uint64_t{v};
  } else if (c == 'q' || c == 'n') {
    std::uint16_t v = 0;
    r = sd_bus_message_read_basic(m, c, &v);
    if (r >= 0)
      out = c == 'q' ? DictValue{std::uint64_t{v}} : DictValue{std::int64_t{std::int16_t(v)}};
  } else if (c == 'u' || c == 'i') {
    std::uint32_t v = 0;
    r = sd_bus_message_read_basic(m, c, &v);
    if (r >= 0)
      out = c == 'u' ? DictValue{std::uint64_t{v}} : DictValue{std::int64_t{std::int32_t(v)}};
  } else {
    std::uint64_t v = 0;
    r = sd_bus_message_read_basic(m, c, &v);
    if (r >= 0) out = c == 't' ? DictValue{v} : DictValue{static_cast<std::int64_t>(v)};
  }
  if (r < 0) return bus_error("read D-Bus variant", r);
  r = sd_bus_message_exit_container(m);
  if (r < 0) return bus_error("leave D-Bus variant", r);
  return true;
}

}  // namespace

std::string BusError::describe(int r) const {
  if (error_.message != nullptr && error_.message[0] != '\0') {
    std::string msg = error_.message;
    if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
    return msg;
  }
  if (error_.name != nullptr) return error_.name;
  return std::strerror(r < 0 ? -r : r);
}

std::string dict_string(const Dict& dict, const std::string& key) {
  auto it = dict.find(key);
  if (it == dict.end()) return "";
  const auto* s = std::get_if<std::string>(&it->second);
  return s != nullptr ? *s : "";
}

bool dict_bool(const Dict& dict, const std::string& key, bool fallback) {
  auto it = dict.find(key);
  if (it == dict.end()) return fallback;
  const auto* b = std::get_if<bool>(&it->second);
  return b != nullptr ? *b : fallback;
}

std::int64_t dict_int(const Dict& dict, const std::string& key, std::int64_t fallback) {
  auto it = dict.find(key);
  if (it == dict.end()) return fallback;
  if (const auto* i = std::get_if<std::int64_t>(&it->second)) return *i;
  if (const auto* u = std::get_if<std::uint64_t>(&it->second)) return static_cast<std::int64_t>(*u);
  return fallback;
}

bool dict_has(const Dict& dict, const std::string& key) {
  return dict.count(key) > 0;
}

Result<Dict> read_dict(sd_bus_message* m) {
  int r = sd_bus_message_enter_container(m, 'a', "{sv}");
  if (r < 0) return bus_error("parse D-Bus dictionary", r);
  Dict dict;
  while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
    const char* key = nullptr;
    r = sd_bus_message_read_basic(m, 's', &key);
    if (r < 0) return bus_error("read D-Bus dictionary key", r);
    DictValue value;
    auto got = read_variant(m, value);
    if (!got) return got.error();
    if (*got) dict[key] = std::move(value);
    r = sd_bus_message_exit_container(m);
    if (r < 0) return bus_error("leave D-Bus dictionary entry", r);
  }
  if (r < 0) return bus_error("parse D-Bus dictionary entry", r);
  r = sd_bus_message_exit_container(m);
  if (r < 0) return bus_error("leave D-Bus dictionary", r);
  return dict;
}

Result<std::vector<Dict>> read_dict_array(sd_bus_message* m) {
  int r = sd_bus_message_enter_container(m, 'a', "a{sv}");
  if (r < 0) return bus_error("parse D-Bus dictionary array", r);
  std::vector<Dict> out;
  for (;;) {
    r = sd_bus_message_at_end(m, false);
    if (r < 0) return bus_error("parse D-Bus dictionary array", r);
    if (r > 0) break;
    auto dict = read_dict(m);
    if (!dict) return dict.error();
    out.push_back(std::move(*dict));
  }
  r = sd_bus_message_exit_container(m);
  if (r < 0) return bus_error("leave D-Bus dictionary array", r);
  return out;
}

int append_dict(sd_bus_message* m, const std::vector<std::pair<std::string, DictValue>>& entries) {
  int r = sd_bus_message_open_container(m, 'a', "{sv}");
  for (const auto& [key, value] : entries) {
    if (r < 0) return r;
    r = sd_bus_message_open_container(m, 'e', "sv");
    if (r >= 0) r = sd_bus_message_append_basic(m, 's', key.c_str());
    if (r < 0) return r;
    if (const auto* s = std::get_if<std::string>(&value)) {
      r = sd_bus_message_append(m, "v", "s", s->c_str());
    } else if (const auto* b = std::get_if<bool>(&value)) {
      r = sd_bus_message_append(m, "v", "b", static_cast<int>(*b));
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
      r = sd_bus_message_append(m, "v", "x", *i);
    } else {
      r = sd_bus_message_append(m, "v", "t", std::get<std::uint64_t>(value));
    }
    if (r >= 0) r = sd_bus_message_close_container(m);
  }
  if (r < 0) return r;
  return sd_bus_message_close_container(m);
}

Result<BusPtr> open_system_bus() {
  sd_bus* raw = nullptr;
  const int r = sd_bus_open_system(&raw);
  if (r < 0) return bus_error("connect to the system bus", r);
  return BusPtr(raw);
}

Result<BusPtr> open_peer(const std::string& address) {
  sd_bus* raw = nullptr;
  int r = sd_bus_new(&raw);
  if (r < 0) return bus_error("allocate a D-Bus connection", r);
  BusPtr bus(raw);
  r = sd_bus_set_address(bus.get(), address.c_str());
  if (r < 0) return bus_error("use D-Bus address '" + address + "'", r);
  r = sd_bus_start(bus.get());
  if (r < 0) return bus_error("connect to '" + address + "'", r);
  return bus;
}

void set_call_timeout(sd_bus* bus, std::chrono::milliseconds timeout) {
  sd_bus_set_method_call_timeout(bus, static_cast<std::uint64_t>(timeout.count()) * 1000);
}

Result<std::string> get_string_property(sd_bus* bus, const char* destination, const char* path,
                                        const char* interface, const char* property) {
  BusError error;
  sd_bus_message* m = nullptr;
  int r = sd_bus_call_method(bus, destination, path, "org.freedesktop.DBus.Properties", "Get",
                             error.get(), &m, "ss", interface, property);
  if (r < 0) {
    return make_error(ErrorKind::Temporary, std::string("Failed to read property ") + property +
                                                ": " + error.describe(r));
  }
  MessagePtr reply(m);
  DictValue value;
  auto got = read_variant(m, value);
  if (!got) return got.error();
  const auto* s = std::get_if<std::string>(&value);
  if (!*got || s == nullptr) {
    return make_error(ErrorKind::Temporary,
                      std::string("Failed to read property ") + property + ": not a string");
  }
  return *s;
}

Result<std::vector<Dict>> get_dict_array_property(sd_bus* bus, const char* destination,
                                                  const char* path, const char* interface,
                                                  const char* property) {
  BusError error;
  sd_bus_message* m = nullptr;
  const int r =
      sd_bus_get_property(bus, destination, path, interface, property, error.get(), &m, "aa{sv}");
  if (r < 0) {
    return make_error(ErrorKind::Temporary, std::string("Failed to read property ") + property +
                                                ": " + error.describe(r));
  }
  MessagePtr reply(m);
  return read_dict_array(m);
}

}  // namespace imageswitch
