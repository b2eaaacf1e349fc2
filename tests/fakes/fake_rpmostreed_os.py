"""The OS object of fake_rpmostreed.py (/org/projectatomic/rpmostree1/<osname>, interface
org.projectatomic.rpmostree1.OS), following upstream rpm-ostree:
- src/daemon/rpmostreed-os.cxx: every mutating method first asks rpmostreed_sysroot_prep_for_txn
  (rpmostreed-sysroot.cxx: a compatible call joins the running transaction, another fails with
  G_IO_ERROR_BUSY "Transaction in progress: <title>"); the transaction's title is the option
  "initiating-command-line" or a fixed word ("finalize-deployment", "kargs", …).
- src/daemon/rpmostreed-transaction-types.cxx: finalize_deployment_transaction_execute (checks run
  after Start and fail the transaction: "No pending staged deployment found", then the checksum —
  the base commit before v2025.7, the image digest of a container deployment from v2025.7 on
  (commit e47214b7) — "Expected staged base checksum X, but found Y", then "Staged deployment
  already unlocked" unless allow-unlocked); kernel_arg_apply_patching / kernel_arg_apply
  ("No changes." and nothing deployed, else a new staged deployment of the same commit with a new
  serial, honouring lock-finalization; reboot only with "reboot").
- os_handle_get_deployment_boot_config: ("", is_pending) → the origin merge deployment (the staged
  one when there is one); a staged deployment's dict has only "staged" and "options".
Not modelled: "Reboot initiated, cannot start new transaction" after a finalize (the node
simulation retries a reboot that never came), polkit, package layering.
"""

import dbus
import dbus.service

from bus_service import PropertiesObject

BUS_NAME = "org.projectatomic.rpmostree1"
OS_IFACE = BUS_NAME + ".OS"
# glnx_throw → G_IO_ERROR_FAILED; unregistered with GDBus, so the name is the "unmapped" one.
GIO_FAILED = "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code0"


class Failed(dbus.DBusException):
    _dbus_error_name = GIO_FAILED


def variant_plain(v):
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath)):
        return str(v)
    if isinstance(v, (dbus.Array, list)):
        return [variant_plain(x) for x in v]
    if isinstance(v, dbus.Dictionary):
        return {str(k): variant_plain(x) for k, x in v.items()}
    return int(v) if isinstance(v, int) else str(v)


def kargs_list(cmdline):
    return cmdline.split()


class OS(PropertiesObject):
    def __init__(self, bus, daemon):
        super().__init__(bus, daemon.os_path())
        self.daemon = daemon

    def begin(self, method, args, options, default_title, work, sender, pulls=False):
        title = str(options.get("initiating-command-line", "")) or default_title
        return self.daemon.begin(method, variant_plain(args), title, work, sender, pulls)

    def deploy(self, refspec, options, method, args, sender):
        if not refspec.startswith("ostree-unverified-registry:") or "@sha256:" not in refspec:
            raise Failed("Invalid refspec '%s': expected a digest-pinned "
                         "ostree-unverified-registry: reference" % refspec)
        lock = bool(options.get("lock-finalization", False))
        self.daemon.record(method, {"refspec": refspec, "options": variant_plain(options)})

        def work(txn):
            s = self.daemon.state()
            s["staged"] = self.daemon.new_deployment(s, refspec, s["booted"]["kargs"])
            s["finalization_locked"] = lock
            if options.get("reboot", False):
                s["reboot_requests"] += 1
            self.daemon.save(s)

        return self.begin(method, args, options, method.lower(), work, sender, pulls=True)

    @dbus.service.method(OS_IFACE, in_signature="a{sv}sas", out_signature="s",
                         sender_keyword="sender")
    def Rebase(self, options, refspec, packages, sender=None):
        if len(packages) != 0:
            raise Failed("Package layering is not supported by this fake")
        return self.deploy(str(refspec), options, "Rebase", [options, refspec, packages], sender)

    @dbus.service.method(OS_IFACE, in_signature="a{sv}a{sv}", out_signature="s",
                         sender_keyword="sender")
    def UpdateDeployment(self, modifiers, options, sender=None):
        refspec = str(modifiers.get("set-refspec", ""))
        return self.deploy(refspec, options, "UpdateDeployment", [modifiers, options], sender)

    @dbus.service.method(OS_IFACE, in_signature="as", out_signature="s", sender_keyword="sender")
    def Cleanup(self, elements, sender=None):
        elements = [str(e) for e in elements]
        for e in elements:
            if e not in ("base", "pending-deploy", "rollback-deploy", "repomd"):
                raise Failed("Unknown cleanup type: " + e)
        self.daemon.record("Cleanup", {"elements": elements})

        def work(txn):
            if "pending-deploy" in elements:
                s = self.daemon.state()
                s["staged"] = None
                s["finalization_locked"] = False
                self.daemon.save(s)

        return self.begin("Cleanup", [elements], {}, "cleanup", work, sender)

    @dbus.service.method(OS_IFACE, in_signature="a{sv}", out_signature="s", sender_keyword="sender")
    def FinalizeDeployment(self, options, sender=None):
        self.daemon.record("FinalizeDeployment", {"options": variant_plain(options)})
        expected = str(options["checksum"]) if "checksum" in options else None

        def work(txn):
            s = self.daemon.state()
            staged = s.get("staged")
            if not staged:
                raise Exception("No pending staged deployment found")
            found = self.daemon.finalize_checksum(staged)
            if expected is None and not options.get("allow-missing-checksum", False):
                raise Exception("Missing expected checksum")
            if expected is not None and expected != found:
                raise Exception("Expected staged base checksum %s, but found %s"
                                % (expected, found))
            if not s.get("finalization_locked") and not options.get("allow-unlocked", False):
                raise Exception("Staged deployment already unlocked")
            s["finalization_locked"] = False
            s["reboot_requests"] += 1  # the real daemon now runs `systemctl reboot`
            self.daemon.save(s)
            txn.obj.Message("Finalized deployment; rebooting into %s" % found)

        return self.begin("FinalizeDeployment", [options], options, "finalize-deployment", work,
                          sender)

    @dbus.service.method(OS_IFACE, in_signature="sasasasa{sv}", out_signature="s",
                         sender_keyword="sender")
    def KernelArgs(self, existing, added, replaced, removed, options, sender=None):
        if len(replaced) or len(removed) or len(added) or "final-kernel-args" in options:
            raise Failed("Only append-if-missing/delete-if-present are modelled by this fake")
        append = [str(a) for a in options.get("append-if-missing", [])]
        delete = [str(a) for a in options.get("delete-if-present", [])]
        existing = str(existing)
        self.daemon.record("KernelArgs", {"existing": existing, "options": variant_plain(options)})

        def work(txn):
            kargs = kargs_list(existing)
            changed = False
            for a in append:
                if a not in kargs:
                    kargs.append(a)
                    changed = True
            for a in delete:
                if a in kargs_list(existing):
                    kargs = [k for k in kargs if k != a]
                    changed = True
            if not changed:
                txn.obj.Message("No changes.")
                return
            s = self.daemon.state()
            base = s.get("staged") or s["booted"]
            s["staged"] = self.daemon.new_deployment(s, base["container-image-reference"],
                                                     " ".join(kargs))
            s["finalization_locked"] = bool(options.get("lock-finalization", False))
            if options.get("reboot", False):
                s["reboot_requests"] += 1
            self.daemon.save(s)

        return self.begin("KernelArgs", [existing, added, replaced, removed, options], options,
                          "kargs", work, sender)

    @dbus.service.method(OS_IFACE, in_signature="sb", out_signature="a{sv}")
    def GetDeploymentBootConfig(self, deploy_index, is_pending):
        if str(deploy_index) != "":
            raise Failed("Only the merge deployment (\"\") is modelled by this fake")
        s = self.daemon.state()
        d = (s.get("staged") if is_pending else None) or s["booted"]
        staged = d is s.get("staged")
        out = {"staged": dbus.Boolean(staged), "options": dbus.String(d["kargs"])}
        if not staged:
            out.update({"title": dbus.String("Red Hat Enterprise Linux CoreOS"),
                        "linux": dbus.String("/ostree/vmlinuz"),
                        "initrd": dbus.String("/ostree/initramfs.img"),
                        "version": dbus.String("9.6.20261126")})
        return dbus.Dictionary(out, signature="sv")

    def props(self):
        deps = self.daemon.deployments()
        booted = [d for d in deps if d["booted"]]
        staged = [d for d in deps if d["staged"]]
        empty = dbus.Dictionary({}, signature="sv")
        return {
            "BootedDeployment": booted[0] if booted else empty,
            "DefaultDeployment": (staged or booted or [empty])[0],
            "RollbackDeployment": empty,
            "CachedUpdate": empty,
            "HasCachedUpdateRpmDiff": dbus.Boolean(False),
            "Name": dbus.String(self.daemon.osname),
        }
