// Ignition systemd.units → typed units (see mc_fields.h). Semantics follow the machine-config
// daemon (openshift/machine-config-operator pkg/daemon/file_writers.go writeUnit/writeDropins and
// pkg/daemon/update.go writeUnits): units and drop-ins go to /etc/systemd/system, empty drop-ins
// are skipped, a masked unit is a link to /dev/null, enabled true/false → enable/disable, absent →
// preset.
#include <nlohmann/json.hpp>
#include <set>

#include "image_paths.h"
#include "mc_fields.h"

namespace imageswitch {
namespace {

using nlohmann::json;

void parse_dropins(const json& unit, const std::string& at, UnitEntry& entry, Problems& problems) {
  const json& dropins = opt_array(unit, "dropins", at, problems);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < dropins.size(); ++i) {
    const std::string d_at = at + ".dropins[" + std::to_string(i) + "]";
    if (!require_object(dropins[i], d_at, problems)) continue;
    check_fields(dropins[i], {"name", "contents"}, d_at, problems);
    Dropin dropin;
    dropin.name = opt_string(dropins[i], "name", d_at, problems).value_or("");
    dropin.contents = opt_string(dropins[i], "contents", d_at, problems).value_or("");
    if (const std::string why = dropin_name_problem(dropin.name); !why.empty()) {
      problems.add(d_at + ".name", why);
      continue;
    }
    if (!seen.insert(dropin.name).second) {
      problems.add(d_at + ".name", "drop-in \"" + dropin.name + "\" is listed twice");
      continue;
    }
    if (!dropin.contents.empty()) entry.dropins.push_back(std::move(dropin));
  }
}

void parse_unit(const json& unit, const std::string& at, MachineConfig& config,
                Problems& problems) {
  if (!require_object(unit, at, problems)) return;
  check_fields(unit, {"name", "enabled", "mask", "contents", "dropins"}, at, problems);
  UnitEntry entry;
  entry.name = opt_string(unit, "name", at, problems).value_or("");
  if (const std::string why = unit_name_problem(entry.name); !why.empty())
    return problems.add(at + ".name", why);
  entry.contents = opt_string(unit, "contents", at, problems);
  if (entry.contents && entry.contents->empty()) entry.contents.reset();
  entry.enabled = opt_bool(unit, "enabled", at, problems);
  entry.mask = opt_bool(unit, "mask", at, problems).value_or(false);
  if (entry.mask && entry.enabled.value_or(false))
    problems.add(at, "unit \"" + entry.name +
                         "\" is both masked and enabled; a masked unit "
                         "cannot be enabled: drop one of them");
  parse_dropins(unit, at, entry, problems);
  for (const auto& existing : config.units)
    if (existing.name == entry.name)
      return problems.add(at + ".name", "unit \"" + entry.name + "\" is listed twice");
  config.units.push_back(std::move(entry));
}

}  // namespace

void parse_systemd(const json& systemd, const std::string& where, MachineConfig& config,
                   Problems& problems) {
  if (!require_object(systemd, where, problems)) return;
  check_fields(systemd, {"units"}, where, problems);
  const json& units = opt_array(systemd, "units", where, problems);
  for (std::size_t i = 0; i < units.size(); ++i)
    parse_unit(units[i], where + ".units[" + std::to_string(i) + "]", config, problems);
}

}  // namespace imageswitch
