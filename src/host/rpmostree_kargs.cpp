// RpmOstreeBackend::sync_kernel_args: the image's kargs.d through rpm-ostree, the way
// `rpm-ostree kargs --append-if-missing/--delete-if-present --lock-finalization` does it.
//
// Upstream rpm-ostree: src/daemon/rpmostreed-os.cxx os_handle_get_deployment_boot_config (""
// with is_pending → the origin merge deployment, i.e. the staged one; for a staged deployment only
// "options" and "staged" are filled) and os_handle_kernel_args; src/daemon/
// rpmostreed-transaction-types.cxx kernel_arg_apply_patching (append-if-missing appends what the
// patched arguments lack, delete-if-present deletes what the *existing* string holds) and
// kernel_arg_apply ("No changes." and nothing deployed when nothing changed; otherwise a new
// deployment of the same commit, honouring "lock-finalization"). rpm-ostree has no kargs.d support
// of its own; bootc applies kargs.d itself (containers/bootc lib/src/kargs.rs).
#include <filesystem>
#include <system_error>

#include "failpoint.h"
#include "kargs_d.h"
#include "kargs_step.h"
#include "rpmostree.h"

namespace imageswitch {

namespace {

/// Appends one `{key: <as values>}` entry to an open a{sv}.
int append_strv_entry(sd_bus_message* m, const char* key, const std::vector<std::string>& values) {
  int r = sd_bus_message_open_container(m, 'e', "sv");
  if (r >= 0) r = sd_bus_message_append(m, "s", key);
  if (r >= 0) r = sd_bus_message_open_container(m, 'v', "as");
  if (r >= 0) r = sd_bus_message_open_container(m, 'a', "s");
  for (const auto& v : values) {
    if (r >= 0) r = sd_bus_message_append(m, "s", v.c_str());
  }
  if (r >= 0) r = sd_bus_message_close_container(m);
  if (r >= 0) r = sd_bus_message_close_container(m);
  if (r >= 0) r = sd_bus_message_close_container(m);
  return r;
}

/// Appends one `{key: <b value>}` or `{key: <s value>}` entry to an open a{sv}.
int append_scalar_entry(sd_bus_message* m, const char* key, const DictValue& value) {
  int r = sd_bus_message_open_container(m, 'e', "sv");
  if (r >= 0) r = sd_bus_message_append(m, "s", key);
  if (const auto* b = std::get_if<bool>(&value)) {
    if (r >= 0) r = sd_bus_message_append(m, "v", "b", static_cast<int>(*b));
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    if (r >= 0) r = sd_bus_message_append(m, "v", "s", s->c_str());
  }
  if (r >= 0) r = sd_bus_message_close_container(m);
  return r;
}

/// KernelArgs(existing, [], [], [], {append-if-missing, delete-if-present, …}).
int append_kernel_args_call(sd_bus_message* m, const std::string& existing, const KargsEdit& edit) {
  int r = sd_bus_message_append(m, "s", existing.c_str());
  for (int i = 0; i < 3 && r >= 0; ++i) r = sd_bus_message_append(m, "as", 0);
  if (r >= 0) r = sd_bus_message_open_container(m, 'a', "{sv}");
  if (r >= 0) r = append_strv_entry(m, "append-if-missing", edit.append);
  if (r >= 0) r = append_strv_entry(m, "delete-if-present", edit.remove);
  if (r >= 0) r = append_scalar_entry(m, "lock-finalization", true);
  if (r >= 0) r = append_scalar_entry(m, "reboot", false);
  if (r >= 0)
    r = append_scalar_entry(m, "initiating-command-line", std::string("imageswitch run (kargs.d)"));
  if (r >= 0) r = sd_bus_message_close_container(m);
  return r;
}

/// The kargs.d arguments of deployment `d` (its directory must exist under `sysroot`).
Result<std::vector<std::string>> deployment_kargs(const std::string& sysroot, const Deployment& d,
                                                  const std::string& arch, const char* which) {
  const std::string dir = deployment_dir(sysroot, d);
  std::error_code ec;
  if (d.osname.empty() || !std::filesystem::is_directory(dir, ec)) {
    return make_error(ErrorKind::Usage, std::string("Failed to read the kernel arguments of the ") +
                                            which + " deployment: '" + dir +
                                            "' is not a directory; check 'sysroot' in the "
                                            "configuration");
  }
  return read_kargs_dir(dir + "/" + kKargsDir, arch);
}

}  // namespace

Result<KargsChange> RpmOstreeBackend::kargs_difference(const Deployment& staged) {
  auto host = status();
  if (!host) return host.error();
  const std::string arch = rust_arch(options_.architecture);
  auto wanted = deployment_kargs(options_.sysroot, staged, arch, "staged");
  if (!wanted) return wanted.error();
  auto had = deployment_kargs(options_.sysroot, *host->booted, arch, "booted");
  if (!had) return had.error();
  KargsChange change;
  change.added = kargs_minus(*wanted, *had);
  change.removed = kargs_minus(*had, *wanted);
  return change;
}

Result<std::string> RpmOstreeBackend::pending_cmdline() {
  auto reply = call_os("GetDeploymentBootConfig",
                       [](sd_bus_message* m) { return sd_bus_message_append(m, "sb", "", 1); });
  if (!reply) return reply.error();
  auto config = read_dict(reply->get());
  if (!config) return wrap("Failed to read the pending boot configuration", config.error());
  if (!dict_bool(*config, "staged"))
    return make_error(ErrorKind::Temporary,
                      "the pending deployment is not staged any more; staging again");
  return dict_string(*config, "options");
}

Result<KargsChange> RpmOstreeBackend::sync_kernel_args(const Deployment& staged) {
  auto change = kargs_difference(staged);
  if (!change) return change.error();
  if (change->added.empty() && change->removed.empty()) return change;
  const std::string what =
      "Failed to apply the image's kernel arguments (" + describe_kargs(*change) + ")";
  auto cmdline = pending_cmdline();
  if (!cmdline) return wrap(what, cmdline.error());
  const KargsEdit edit = plan_kargs_edit(*cmdline, *change);
  if (edit.empty()) return change;  // applied by an earlier pass
  auto r = transact(
      "KernelArgs", [&](sd_bus_message* m) { return append_kernel_args_call(m, *cmdline, edit); },
      [] { IMAGESWITCH_FAILPOINT("during-kargs"); });
  if (!r) return wrap(what, r.error());
  change->applied = true;
  return change;
}

}  // namespace imageswitch
