// Ignition storage.files / links / directories → typed entries (see mc_fields.h). Semantics follow
// the machine-config daemon's writeFiles (openshift/machine-config-operator
// pkg/daemon/file_writers.go): inline data only, decoded with gzip, default mode 0644, owner by id
// else by name else root, files always replaced (the MCD ignores `overwrite`).
#include <nlohmann/json.hpp>

#include "data_url.h"
#include "image_paths.h"
#include "mc_fields.h"

namespace imageswitch {
namespace {

using nlohmann::json;

/// Decodes one Ignition Resource (`contents` or an `append` item) into `out`; false on a problem.
bool read_resource(const json& resource, const std::string& at, std::string& out,
                   Problems& problems) {
  if (!require_object(resource, at, problems)) return false;
  check_fields(resource, {"source", "compression", "httpHeaders", "verification"}, at, problems);
  if (!opt_array(resource, "httpHeaders", at, problems).empty())
    problems.add(at + ".httpHeaders", "HTTP headers belong to remote sources, which are refused");
  if (const auto it = resource.find("verification"); it != resource.end() && !it->is_null()) {
    if (require_object(*it, at + ".verification", problems)) {
      check_fields(*it, {"hash"}, at + ".verification", problems);
      if (opt_string(*it, "hash", at + ".verification", problems))
        problems.add(
            at + ".verification.hash",
            "cannot be checked by imageswitch-render; the data is inline, remove the hash");
    }
  }
  const auto compression = opt_string(resource, "compression", at, problems).value_or("");
  if (compression != "" && compression != "gzip")
    problems.add(at + ".compression", "\"" + compression + "\" is not \"gzip\" or empty");
  const auto source = opt_string(resource, "source", at, problems);
  if (!source) return true;  // no source: an empty file, as the MCD writes it
  const std::string scheme = url_scheme(*source);
  if (scheme != "data") {
    problems.add(at + ".source",
                 (scheme.empty() ? std::string("not a URL") : "remote source (" + scheme + ")") +
                     " refused: a rendered MachineConfig carries inline data only; put the "
                     "contents into a data: URL");
    return false;
  }
  auto bytes = decode_data_url(*source);
  if (!bytes) return problems.add(at + ".source", bytes.error().message), false;
  if (compression == "gzip") {
    bytes = gunzip(*bytes);
    if (!bytes) return problems.add(at + ".compression", bytes.error().message), false;
  }
  out = std::move(*bytes);
  return true;
}

/// Reads the Ignition Node part (path, overwrite, user, group); false when the path is refused.
bool read_node(const json& node, const std::string& at, std::string& path, Owner& user,
               Owner& group, Problems& problems) {
  path = opt_string(node, "path", at, problems).value_or("");
  if (const std::string why = image_path_problem(path); !why.empty())
    return problems.add(at + ".path", why), false;
  (void)opt_bool(node, "overwrite", at, problems);  // the MCD always replaces; type-checked only
  user = read_owner(node, "user", at, problems);
  group = read_owner(node, "group", at, problems);
  return true;
}

/// The `mode` member as permission bits (decimal in JSON), or `fallback`.
unsigned read_mode(const json& node, const std::string& at, unsigned fallback, Problems& problems) {
  const auto mode = opt_int(node, "mode", at, problems);
  if (!mode) return fallback;
  if (*mode < 0 || *mode > 07777) {
    problems.add(at + ".mode", "mode " + std::to_string(*mode) +
                                   " is not a permission value (decimal in JSON: 420 = 0644)");
    return fallback;
  }
  return static_cast<unsigned>(*mode);
}

void parse_file(const json& file, const std::string& at, MachineConfig& config,
                Problems& problems) {
  if (!require_object(file, at, problems)) return;
  check_fields(file, {"path", "overwrite", "user", "group", "contents", "append", "mode"}, at,
               problems);
  FileEntry entry;
  entry.origin = at;
  if (!read_node(file, at, entry.path, entry.user, entry.group, problems)) return;
  entry.mode = read_mode(file, at, 0644, problems);
  const auto contents = file.find("contents");
  const bool has_source = contents != file.end() && contents->is_object() &&
                          contents->contains("source") && !(*contents)["source"].is_null();
  if (contents != file.end() && !contents->is_null())
    read_resource(*contents, at + ".contents", entry.contents, problems);
  const json& append = opt_array(file, "append", at, problems);
  const auto overwrite = file.find("overwrite");
  const bool replaces =
      overwrite != file.end() && overwrite->is_boolean() && overwrite->get<bool>();
  if (!append.empty() && !has_source && !replaces)
    problems.add(at + ".append",
                 "appending to the base image's file is not supported (the machine-config daemon "
                 "refuses append entirely); put the whole file into contents.source");
  for (std::size_t i = 0; i < append.size(); ++i) {
    std::string fragment;
    if (read_resource(append[i], at + ".append[" + std::to_string(i) + "]", fragment, problems))
      entry.contents += fragment;
  }
  config.files.push_back(std::move(entry));
}

void parse_link(const json& link, const std::string& at, MachineConfig& config,
                Problems& problems) {
  if (!require_object(link, at, problems)) return;
  check_fields(link, {"path", "overwrite", "user", "group", "target", "hard"}, at, problems);
  LinkEntry entry;
  if (!read_node(link, at, entry.path, entry.user, entry.group, problems)) return;
  if (opt_bool(link, "hard", at, problems).value_or(false))
    problems.add(at + ".hard",
                 "hard links are refused: an image layer cannot keep a hard link to "
                 "a file of another layer; use a symbolic link");
  entry.target = opt_string(link, "target", at, problems).value_or("");
  if (entry.target.empty() || entry.target.find('\0') != std::string::npos)
    problems.add(at + ".target", "a link needs a non-empty target without NUL bytes");
  config.links.push_back(std::move(entry));
}

void parse_directory(const json& dir, const std::string& at, MachineConfig& config,
                     Problems& problems) {
  if (!require_object(dir, at, problems)) return;
  check_fields(dir, {"path", "overwrite", "user", "group", "mode"}, at, problems);
  DirEntry entry;
  if (!read_node(dir, at, entry.path, entry.user, entry.group, problems)) return;
  entry.mode = read_mode(dir, at, 0755, problems);
  config.directories.push_back(std::move(entry));
}

}  // namespace

void parse_storage(const json& storage, const std::string& where, MachineConfig& config,
                   Problems& problems) {
  if (!require_object(storage, where, problems)) return;
  check_fields(storage, {"files", "links", "directories", "disks", "raid", "filesystems", "luks"},
               where, problems);
  for (const char* install_only : {"disks", "raid", "filesystems", "luks"})
    if (!opt_array(storage, install_only, where, problems).empty())
      problems.add(
          where + "." + install_only,
          "partitions, RAID, file systems and LUKS are set up at install time only; an "
          "image update cannot change them (put them in the install-time Ignition config)");
  const json& files = opt_array(storage, "files", where, problems);
  for (std::size_t i = 0; i < files.size(); ++i)
    parse_file(files[i], where + ".files[" + std::to_string(i) + "]", config, problems);
  const json& links = opt_array(storage, "links", where, problems);
  for (std::size_t i = 0; i < links.size(); ++i)
    parse_link(links[i], where + ".links[" + std::to_string(i) + "]", config, problems);
  const json& dirs = opt_array(storage, "directories", where, problems);
  for (std::size_t i = 0; i < dirs.size(); ++i)
    parse_directory(dirs[i], where + ".directories[" + std::to_string(i) + "]", config, problems);
}

}  // namespace imageswitch
