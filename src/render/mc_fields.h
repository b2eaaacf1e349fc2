// Reading a MachineConfig's JSON tree field by field, collecting every problem instead of
// stopping at the first (imageswitch-render --check lists them all).
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "render_types.h"

namespace imageswitch {

/// Collects problems as "FIELD: what is wrong and what to do" lines.
class Problems {
 public:
  /// Starts an empty collection appending to `out`.
  explicit Problems(std::vector<std::string>& out) : out_(out) {}
  /// Records that `where` has the problem `what`.
  void add(const std::string& where, const std::string& what);

 private:
  std::vector<std::string>& out_;
};

/// Records every member of `object` not in `known` as an unknown field.
void check_fields(const nlohmann::json& object, std::initializer_list<const char*> known,
                  const std::string& where, Problems& problems);

/// True when `value` is an object; otherwise records that `where` must be one.
bool require_object(const nlohmann::json& value, const std::string& where, Problems& problems);

/// The string member `key`, nullopt when absent or null (a wrong type is a problem).
std::optional<std::string> opt_string(const nlohmann::json& object, const char* key,
                                      const std::string& where, Problems& problems);

/// The boolean member `key`, nullopt when absent or null (a wrong type is a problem).
std::optional<bool> opt_bool(const nlohmann::json& object, const char* key,
                             const std::string& where, Problems& problems);

/// The integer member `key`, nullopt when absent or null (a wrong type is a problem).
std::optional<long long> opt_int(const nlohmann::json& object, const char* key,
                                 const std::string& where, Problems& problems);

/// The array member `key`; an empty array when absent or null (a wrong type is a problem).
const nlohmann::json& opt_array(const nlohmann::json& object, const char* key,
                                const std::string& where, Problems& problems);

/// The Ignition NodeUser/NodeGroup member `key` ({"id": N} or {"name": S}).
Owner read_owner(const nlohmann::json& object, const char* key, const std::string& where,
                 Problems& problems);

/// Reads `storage` (files, links, directories; refuses disks, raid, filesystems, luks).
void parse_storage(const nlohmann::json& storage, const std::string& where, MachineConfig& config,
                   Problems& problems);

/// Reads `systemd` (units with contents, drop-ins, enabled, mask).
void parse_systemd(const nlohmann::json& systemd, const std::string& where, MachineConfig& config,
                   Problems& problems);

/// Reads `passwd`: only what changes nothing is accepted; the rest is refused with what to do.
void parse_passwd(const nlohmann::json& passwd, const std::string& where, Problems& problems);

}  // namespace imageswitch
