#!/usr/bin/python3
"""Fake rpm-ostreed: org.projectatomic.rpmostree1 on the system bus, following
org.projectatomic.rpmostree1.xml (names, signatures, object paths) and the upstream daemon
(coreos/rpm-ostree src/daemon/*.cxx, rust/src/daemon.rs; see fake_rpmostreed_os.py) for what
imageswitch uses. Two daemon generations (--generation, default $FAKE_RPMOSTREED_GENERATION or
"2025.7"): "pre-2025.7" FinalizeDeployment wants the staged base commit checksum, "2025.7" (upstream
today) the image digest of a container deployment.

Usage
  fake_rpmostreed.py --state STATE.json [--faults FAULTS.json] [--generation G]
      Serves on the bus named by DBUS_SYSTEM_BUS_ADDRESS until SIGTERM.
  fake_rpmostreed.py --reboot STATE.json
      Simulates the reboot: when FinalizeDeployment unlocked the staged deployment it becomes the
      booted one; a still-locked staged deployment is dropped (as ostree does); "boots" += 1.
  fake_rpmostreed.py --init STATE.json --image REF [--sysroot DIR] [--kargs CMDLINE]
      Writes a fresh state with one booted deployment of REF (pinned) and no staged one.

Objects
  /org/projectatomic/rpmostree1/Sysroot  (…Sysroot): Booted (o), Path (s), ActiveTransaction
      ((sss) = method, caller's unique bus name, OS object path: rpmostreed-sysroot.cxx
      rpmostreed_sysroot_set_txn), ActiveTransactionPath (s), Deployments (aa{sv}),
      RegisterClient, UnregisterClient, Reload, GetOS.
  /org/projectatomic/rpmostree1/<osname> (…OS, fake_rpmostreed_os.py): Rebase, UpdateDeployment
      ("set-refspec"), Cleanup, FinalizeDeployment, KernelArgs, GetDeploymentBootConfig,
      BootedDeployment / DefaultDeployment (a{sv}), Name (s).
  Each transaction is served on its own peer-to-peer D-Bus server (fake_rpmostreed_txn.py).
  Deployment dicts carry the keys of rust/src/daemon.rs deployment_populate_variant (id, osname,
  checksum, serial, booted, staged, finalization-locked on a locked staged deployment, pinned,
  unlocked) and of rpmostreed-deployment-utils.cxx for a container deployment
  (container-image-reference[-digest], version, timestamp; no "origin": that key is only set for
  ostree refspecs).

State file (JSON, rewritten after each change):
  {"osname": "rhcos",
   "booted": {"id", "checksum", "serial", "kargs", "container-image-reference",
              "container-image-reference-digest", optional "base-checksum" (layered)},
   "staged": null | {same keys},
   "finalization_locked": bool,   # the staged deployment was made with lock-finalization
   "reboot_requests": int,        # FinalizeDeployment (or reboot: true) calls that would reboot
   "boots": int,                  # --reboot runs
   "sysroot": DIR | null,         # deployments' files are written to DIR/ostree/deploy/…
   "image_kargs": {"sha256:…": {"10-x.toml": "kargs = [...]"}},  # kargs.d of each image
   "registered_clients": [ids], "calls": [{"method": …, "args": …, "ts": Unix time (float)}]}

Faults file (JSON, re-read at every call; all keys optional):
  "fail": "message"          → the transaction ends with Finished(false, message)
  "crash_before_finished": true → the daemon exits (status 3) after the first progress signals
  "delay_s": float           → the transaction waits this long before Finished
  "pull_delay_s": float      → only transactions that pull an image (Rebase, UpdateDeployment)
                               wait this long (added to delay_s)
  "busy": "title"            → mutating methods fail with G_IO_ERROR_BUSY "Transaction in
                               progress: title" and ActiveTransaction names another client
  "omit_digest": true        → deployments lack container-image-reference-digest (old daemon)
  "progress_steps": int      → number of PercentProgress signals (default 5)
  "no_reply_once": true      → the first RegisterClient gets no reply (client must retry)
"""

import argparse
import hashlib
import os
import sys
import time

import dbus
import dbus.mainloop.glib
import dbus.service

sys.dont_write_bytecode = True  # keep the source tree clean
from bus_service import PropertiesObject, serve  # noqa: E402
from fake_rpmostreed_os import OS, Failed  # noqa: E402
from fakelib import load_json, save_json  # noqa: E402
from fake_rpmostreed_txn import Transaction  # noqa: E402

BUS_NAME = "org.projectatomic.rpmostree1"
BASE = "/org/projectatomic/rpmostree1"
SYSROOT_IFACE = BUS_NAME + ".Sysroot"
OS_IFACE = BUS_NAME + ".OS"
# rpmostreed_sysroot_prep_for_txn sets G_IO_ERROR_BUSY (26); GIO's error domain is not registered
# with GDBus, so callers see the "unmapped" name.
GIO_BUSY = "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code26"
GENERATIONS = ("pre-2025.7", "2025.7")
DEFAULT_KARGS = "root=UUID=6d2e1f6c-3b8e-4d6a-9d2b-0c8f1a2b3c4d rw rhgb"


class Busy(dbus.DBusException):
    _dbus_error_name = GIO_BUSY


def digest_of(ref):
    at = ref.rfind("@sha256:")
    return ref[at + 1:] if at >= 0 else ""


def make_deployment(osname, refspec, serial, kargs):
    checksum = hashlib.sha256(refspec.encode()).hexdigest()
    return {
        "id": "%s-%s.%d" % (osname, checksum, serial),  # deployment_generate_id_impl
        "checksum": checksum,
        "serial": serial,
        "kargs": kargs,
        "container-image-reference": refspec,
        "container-image-reference-digest": digest_of(refspec),
    }


def write_deployment_files(s, d):
    """Writes DIR/ostree/deploy/<osname>/deploy/<checksum>.<serial>/ with the image's kargs.d."""
    if not s.get("sysroot"):
        return
    top = os.path.join(s["sysroot"], "ostree", "deploy", s["osname"], "deploy",
                       "%s.%d" % (d["checksum"], d["serial"]))
    kargs_d = os.path.join(top, "usr", "lib", "bootc", "kargs.d")
    os.makedirs(kargs_d, exist_ok=True)
    files = s.get("image_kargs", {}).get(d["container-image-reference-digest"], {})
    for name, text in files.items():
        with open(os.path.join(kargs_d, name), "w") as f:
            f.write(text)


def deployment_dict(osname, d, booted, staged, locked, omit_digest):
    out = {
        "id": dbus.String(d["id"]),
        "osname": dbus.String(osname),
        "serial": dbus.Int32(d.get("serial", 0)),
        "checksum": dbus.String(d["checksum"]),
        "version": dbus.String("9.6.20261126"),
        "timestamp": dbus.UInt64(1764115200),
        "booted": dbus.Boolean(booted),
        "staged": dbus.Boolean(staged),
        "pinned": dbus.Boolean(False),
        "unlocked": dbus.String("none"),
        "requested-packages": dbus.Array([], signature="s"),
        "container-image-reference": dbus.String(d["container-image-reference"]),
    }
    if staged and locked:
        out["finalization-locked"] = dbus.Boolean(True)
    if d.get("base-checksum"):  # a layered deployment (rpmostreed-deployment-utils.cxx)
        out["base-checksum"] = dbus.String(d["base-checksum"])
    if not omit_digest and d.get("container-image-reference-digest"):
        out["container-image-reference-digest"] = dbus.String(d["container-image-reference-digest"])
    return dbus.Dictionary(out, signature="sv")


class Daemon:
    """Shared state of the fake: the state file, the faults file and the active transaction."""

    def __init__(self, state_path, faults_path, osname, generation):
        self.state_path = state_path
        self.faults_path = faults_path
        self.osname = osname
        self.generation = generation
        self.active = None  # the running Transaction, or None
        self.no_reply_done = False

    def state(self):
        s = load_json(self.state_path, {})
        s.setdefault("osname", self.osname)
        s.setdefault("staged", None)
        s.setdefault("finalization_locked", False)
        s.setdefault("reboot_requests", 0)
        s.setdefault("boots", 0)
        s.setdefault("registered_clients", [])
        s.setdefault("calls", [])
        for key in ("booted", "staged"):
            if s.get(key):
                s[key].setdefault("serial", 0)
                s[key].setdefault("kargs", DEFAULT_KARGS)
        return s

    def save(self, s):
        save_json(self.state_path, s)

    def faults(self):
        return load_json(self.faults_path, {}) if self.faults_path else {}

    def record(self, method, args):
        s = self.state()
        s["calls"].append({"method": method, "args": args, "ts": time.time()})
        self.save(s)

    def os_path(self):
        return BASE + "/" + self.osname.replace("-", "_").replace("/", "_")

    def finalize_checksum(self, staged):
        """What FinalizeDeployment's "checksum" must equal for this daemon generation: the base
        commit (layeredmeta.base_commit: "base-checksum" of a layered deployment, else its own
        checksum), or from 2025.7 on the image digest of a container deployment."""
        digest = staged.get("container-image-reference-digest")
        if self.generation == "2025.7" and digest:
            return digest
        return staged.get("base-checksum") or staged["checksum"]

    def new_deployment(self, s, refspec, kargs):
        """A deployment of `refspec` with the next free serial for its commit, files written."""
        checksum = hashlib.sha256(refspec.encode()).hexdigest()
        serials = [d["serial"] for d in (s.get("booted"), s.get("staged"))
                   if d and d["checksum"] == checksum]
        d = make_deployment(s["osname"], refspec, max(serials) + 1 if serials else 0, kargs)
        write_deployment_files(s, d)
        return d

    def deployments(self):
        s = self.state()
        omit = bool(self.faults().get("omit_digest"))
        out = []
        if s.get("staged"):
            out.append(deployment_dict(self.osname, s["staged"], False, True,
                                       s["finalization_locked"], omit))
        if s.get("booted"):
            out.append(deployment_dict(self.osname, s["booted"], True, False, False, omit))
        return out

    def begin(self, method, args, title, work, sender, pulls):
        """Creates a transaction running `work(txn)` after Start, or joins a compatible one
        (same method, same arguments); returns its address."""
        busy = self.faults().get("busy")
        if self.active is not None and not busy:
            if self.active.method == method and self.active.args == args:
                return self.active.address
            busy = self.active.title
        if busy:
            raise Busy("Transaction in progress: %s\n You can cancel the current transaction "
                       "with `rpm-ostree cancel`" % busy)
        txn = Transaction(self, title, work, pulls)
        txn.method, txn.args, txn.sender = method, args, str(sender or "")
        self.active = txn
        return txn.address


class Sysroot(PropertiesObject):
    def __init__(self, bus, daemon):
        super().__init__(bus, BASE + "/Sysroot")
        self.daemon = daemon

    def props(self):
        active = self.daemon.active
        busy = self.daemon.faults().get("busy")
        if busy:
            at = ("Rebase", ":1.999", self.daemon.os_path())
        elif active is not None:
            at = (active.method, active.sender, self.daemon.os_path())
        else:
            at = ("", "", "")
        return {
            "Booted": dbus.ObjectPath(self.daemon.os_path()),
            "Path": dbus.String("/"),
            "ActiveTransaction": dbus.Struct(at, signature="sss"),
            "ActiveTransactionPath": dbus.String(active.address if active else ""),
            "AutomaticUpdatePolicy": dbus.String("none"),
            "Deployments": dbus.Array(self.daemon.deployments(), signature="a{sv}"),
        }

    @dbus.service.method(SYSROOT_IFACE, in_signature="a{sv}", out_signature="",
                         async_callbacks=("reply", "error"))
    def RegisterClient(self, options, reply, error):
        if self.daemon.faults().get("no_reply_once") and not self.daemon.no_reply_done:
            self.daemon.no_reply_done = True
            error(dbus.DBusException("Did not receive a reply",
                                     name="org.freedesktop.DBus.Error.NoReply"))
            return
        s = self.daemon.state()
        s["registered_clients"].append(str(options.get("id", "")))
        self.daemon.save(s)
        reply()

    @dbus.service.method(SYSROOT_IFACE, in_signature="a{sv}", out_signature="")
    def UnregisterClient(self, options):
        s = self.daemon.state()
        s.setdefault("unregistered", 0)
        s["unregistered"] += 1
        self.daemon.save(s)

    @dbus.service.method(SYSROOT_IFACE, in_signature="", out_signature="")
    def Reload(self):
        pass

    @dbus.service.method(SYSROOT_IFACE, in_signature="s", out_signature="o")
    def GetOS(self, name):
        if name not in ("", self.daemon.osname):
            raise Failed("Unknown OS name: " + name)
        return dbus.ObjectPath(self.daemon.os_path())


def simulate_reboot(path):
    s = load_json(path, None)
    if s is None:
        sys.exit("fake_rpmostreed: no state file '%s'" % path)
    if s.get("staged"):
        if not s.get("finalization_locked", False):
            s["booted"] = s["staged"]
        s["staged"] = None
        s["finalization_locked"] = False
    s["boots"] = s.get("boots", 0) + 1
    save_json(path, s)


def init_state(path, image, osname, sysroot=None, kargs=DEFAULT_KARGS, image_kargs=None):
    s = {"osname": osname, "staged": None, "finalization_locked": False, "reboot_requests": 0,
         "boots": 0, "sysroot": os.path.abspath(sysroot) if sysroot else None,
         "image_kargs": image_kargs or {}, "registered_clients": [], "calls": []}
    s["booted"] = make_deployment(osname, "ostree-unverified-registry:" + image, 0, kargs)
    write_deployment_files(s, s["booted"])
    save_json(path, s)


def main():
    p = argparse.ArgumentParser(description="fake rpm-ostreed (see the module docstring)")
    p.add_argument("--state")
    p.add_argument("--faults")
    p.add_argument("--osname", default="rhcos")
    p.add_argument("--reboot", metavar="STATE")
    p.add_argument("--init", metavar="STATE")
    p.add_argument("--image", help="pinned image for --init")
    p.add_argument("--sysroot", help="--init: write deployments' files under this directory")
    p.add_argument("--kargs", default=DEFAULT_KARGS, help="--init: booted kernel command line")
    p.add_argument("--generation", choices=GENERATIONS,
                   default=os.environ.get("FAKE_RPMOSTREED_GENERATION") or "2025.7")
    a = p.parse_args()
    if a.reboot:
        simulate_reboot(a.reboot)
        return
    if a.init:
        if not a.image or "@sha256:" not in a.image:
            sys.exit("fake_rpmostreed: --init needs --image REPO@sha256:…")
        init_state(a.init, a.image, a.osname, a.sysroot, a.kargs)
        return
    if not a.state:
        sys.exit("fake_rpmostreed: --state is required")
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    daemon = Daemon(a.state, a.faults, load_json(a.state, {}).get("osname", a.osname),
                    a.generation)
    s = daemon.state()
    for d in (s.get("booted"), s.get("staged")):
        if d:  # the deployments' files exist on disk, whatever the state file was made with
            write_deployment_files(s, d)
    serve(bus, BUS_NAME, [Sysroot(bus, daemon), OS(bus, daemon)])


if __name__ == "__main__":
    main()
