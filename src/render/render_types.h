// The typed content of a MachineConfig that imageswitch-render understands: what ends up in the
// image. Field names follow coreos/ignition config/v3_5/types (schema.go) and the
// machineconfiguration.openshift.io/v1 MachineConfigSpec (openshift/api machineconfiguration/v1).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace imageswitch {

/// Ignition's NodeUser / NodeGroup: by numeric id, by name, or neither (root).
struct Owner {
  std::optional<long long> id;  ///< wins over name, as in Ignition and the MCD's getFileOwnership
  std::string name;             ///< resolved inside the image at build time
};

/// One regular file with its final (decoded, decompressed, appended) contents.
struct FileEntry {
  std::string path;
  std::string contents;
  unsigned mode = 0644;  ///< Ignition and the MCD default (defaultFilePermissions)
  Owner user;
  Owner group;
  std::string origin;  ///< where it came from: "storage.files[3]", "systemd.units[1]", …
};

/// One symbolic link (hard links are refused).
struct LinkEntry {
  std::string path;
  std::string target;
  Owner user;
  Owner group;
};

/// One directory.
struct DirEntry {
  std::string path;
  unsigned mode = 0755;  ///< Ignition's default directory mode
  Owner user;
  Owner group;
};

/// One systemd drop-in of a unit.
struct Dropin {
  std::string name;
  std::string contents;
};

/// One systemd unit as Ignition describes it.
struct UnitEntry {
  std::string name;
  std::optional<std::string> contents;  ///< absent or empty: the unit comes from the base image
  std::vector<Dropin> dropins;
  std::optional<bool> enabled;  ///< absent: the MCD applies the preset (systemctl preset)
  bool mask = false;
};

/// Everything of one MachineConfig that goes into the image.
struct MachineConfig {
  std::string name;  ///< metadata.name (the source name in render.json)
  std::string os_image_url;
  std::string ignition_version;
  std::vector<std::string> kernel_arguments;
  std::vector<std::string> extensions;
  std::string kernel_type = "default";
  bool fips = false;
  std::vector<FileEntry> files;
  std::vector<LinkEntry> links;
  std::vector<DirEntry> directories;
  std::vector<UnitEntry> units;
};

/// The result of reading a MachineConfig: the config and every problem found (empty = usable).
struct ParsedMachineConfig {
  MachineConfig config;
  std::vector<std::string> problems;
};

}  // namespace imageswitch
