// sd-bus plumbing: RAII owners for bus handles, an sd_bus_error guard, connection helpers and
// readers that turn `a{sv}` / `aa{sv}` dictionaries into plain maps of the scalar values we use.
#pragma once

#include <systemd/sd-bus.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "result.h"

namespace imageswitch {

/// Closes and releases a bus connection.
struct BusDeleter {
  void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
/// Releases a bus message.
struct MessageDeleter {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
/// Releases (and thereby removes) a match or filter slot.
struct SlotDeleter {
  void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};

using BusPtr = std::unique_ptr<sd_bus, BusDeleter>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageDeleter>;
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotDeleter>;

/// Owns an sd_bus_error and frees it on scope exit.
class BusError {
 public:
  BusError() = default;
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  ~BusError() { sd_bus_error_free(&error_); }
  /// The raw pointer to pass to sd-bus calls.
  sd_bus_error* get() { return &error_; }
  /// True when an error name is set.
  bool is_set() const { return sd_bus_error_is_set(&error_) > 0; }
  /// True when the error has the D-Bus error name `name`.
  bool has_name(const char* name) const { return sd_bus_error_has_name(&error_, name) > 0; }
  /// The error name, or "".
  std::string name() const { return error_.name != nullptr ? error_.name : ""; }
  /// The first line of the error message, or strerror(-r) when no message is set.
  std::string describe(int r) const;

 private:
  sd_bus_error error_ = SD_BUS_ERROR_NULL;
};

/// One scalar value out of a variant; other types are skipped when reading.
using DictValue = std::variant<std::string, bool, std::int64_t, std::uint64_t>;
/// An `a{sv}` dictionary reduced to its scalar entries (s, o, g, b, integers).
using Dict = std::map<std::string, DictValue>;

/// The string at `key` (types s, o, g), or "" when absent or of another type.
std::string dict_string(const Dict& dict, const std::string& key);
/// The boolean at `key`, or `fallback` when absent or of another type.
bool dict_bool(const Dict& dict, const std::string& key, bool fallback = false);
/// The integer at `key` (any integer type), or `fallback` when absent or of another type.
std::int64_t dict_int(const Dict& dict, const std::string& key, std::int64_t fallback = 0);
/// True when `key` is present at all.
bool dict_has(const Dict& dict, const std::string& key);

/// Reads an `a{sv}` at the current position of `m`.
Result<Dict> read_dict(sd_bus_message* m);
/// Reads an `aa{sv}` at the current position of `m`.
Result<std::vector<Dict>> read_dict_array(sd_bus_message* m);

/// Appends an `a{sv}` built from `entries` (strings and booleans only) to `m`.
int append_dict(sd_bus_message* m, const std::vector<std::pair<std::string, DictValue>>& entries);

/// Opens the system bus (DBUS_SYSTEM_BUS_ADDRESS honoured); failures are Temporary.
Result<BusPtr> open_system_bus();

/// Opens a peer-to-peer connection (no bus daemon, no Hello) to D-Bus `address`.
Result<BusPtr> open_peer(const std::string& address);

/// Sets the default method-call timeout of `bus`.
void set_call_timeout(sd_bus* bus, std::chrono::milliseconds timeout);

/// Reads string property `property` of `interface` at `path` of `destination`.
Result<std::string> get_string_property(sd_bus* bus, const char* destination, const char* path,
                                        const char* interface, const char* property);

/// Reads `aa{sv}` property `property` of `interface` at `path` of `destination`.
Result<std::vector<Dict>> get_dict_array_property(sd_bus* bus, const char* destination,
                                                  const char* path, const char* interface,
                                                  const char* property);

}  // namespace imageswitch
