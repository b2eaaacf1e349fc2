// Field readers shared by the MachineConfig parser (see mc_fields.h).
#include "mc_fields.h"

#include <algorithm>
#include <cctype>

namespace imageswitch {

using nlohmann::json;

void Problems::add(const std::string& where, const std::string& what) {
  out_.push_back(where + ": " + what);
}

void check_fields(const json& object, std::initializer_list<const char*> known,
                  const std::string& where, Problems& problems) {
  if (!object.is_object()) return;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    const bool ok =
        std::any_of(known.begin(), known.end(), [&](const char* k) { return key == k; });
    if (!ok)
      problems.add(where + "." + key,
                   "unknown field (not part of Ignition 3.x or a MachineConfig); remove it or "
                   "check its spelling");
  }
}

bool require_object(const json& value, const std::string& where, Problems& problems) {
  if (value.is_object()) return true;
  problems.add(where, std::string("must be an object, not ") + value.type_name());
  return false;
}

namespace {

/// The member `key` of `object` as a T when it has the JSON type `has_type` tests; absent or
/// null → nothing; another type → nothing and a problem "must be <expected>, not <type>".
template <typename T>
std::optional<T> optional_member(const json& object, const char* key, const std::string& where,
                                 Problems& problems, bool (json::*has_type)() const noexcept,
                                 const char* expected) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!((*it).*has_type)()) {
    problems.add(where + "." + key,
                 std::string("must be ") + expected + ", not " + it->type_name());
    return std::nullopt;
  }
  return it->get<T>();
}

}  // namespace

std::optional<std::string> opt_string(const json& object, const char* key, const std::string& where,
                                      Problems& problems) {
  return optional_member<std::string>(object, key, where, problems, &json::is_string, "a string");
}

std::optional<bool> opt_bool(const json& object, const char* key, const std::string& where,
                             Problems& problems) {
  return optional_member<bool>(object, key, where, problems, &json::is_boolean, "true or false");
}

std::optional<long long> opt_int(const json& object, const char* key, const std::string& where,
                                 Problems& problems) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_number_unsigned() && it->get<unsigned long long>() <= 0x7fffffffffffffffULL)
    return static_cast<long long>(it->get<unsigned long long>());
  problems.add(where + "." + key, std::string("must be an integer, not ") + it->type_name());
  return std::nullopt;
}

const json& opt_array(const json& object, const char* key, const std::string& where,
                      Problems& problems) {
  static const json empty = json::array();
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return empty;
  if (!it->is_array()) {
    problems.add(where + "." + key, std::string("must be a list, not ") + it->type_name());
    return empty;
  }
  return *it;
}

Owner read_owner(const json& object, const char* key, const std::string& where,
                 Problems& problems) {
  Owner owner;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return owner;
  const std::string at = where + "." + key;
  if (!require_object(*it, at, problems)) return owner;
  check_fields(*it, {"id", "name"}, at, problems);
  owner.id = opt_int(*it, "id", at, problems);
  owner.name = opt_string(*it, "name", at, problems).value_or("");
  if (owner.id && (*owner.id < 0 || *owner.id > 4294967294LL))
    problems.add(at + ".id", "must be between 0 and 4294967294");
  const bool valid_name = std::all_of(owner.name.begin(), owner.name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
  if (!valid_name)
    problems.add(at + ".name", "\"" + owner.name + "\" is not a valid user or group name");
  return owner;
}

void parse_passwd(const json& passwd, const std::string& where, Problems& problems) {
  if (!require_object(passwd, where, problems)) return;
  check_fields(passwd, {"users", "groups"}, where, problems);
  const std::string advice =
      "image updates do not change /etc/passwd, /etc/shadow or home directories on a running "
      "node; create users and groups with a sysusers.d file in storage.files "
      "(/etc/sysusers.d/NAME.conf) and keep SSH keys and passwords in the install-time Ignition "
      "config";
  const json& users = opt_array(passwd, "users", where, problems);
  for (std::size_t i = 0; i < users.size(); ++i) {
    const std::string at = where + ".users[" + std::to_string(i) + "]";
    if (!require_object(users[i], at, problems)) continue;
    for (const auto& [key, value] : users[i].items()) {
      if (key == "name" || value.is_null() || (value.is_array() && value.empty())) continue;
      problems.add(at + "." + key, "user changes are not expressible in an image: " + advice);
    }
  }
  if (!opt_array(passwd, "groups", where, problems).empty())
    problems.add(where + ".groups", "group changes are not expressible in an image: " + advice);
}

}  // namespace imageswitch
