#!/usr/bin/python3
"""Fake rpm-ostreed: org.projectatomic.rpmostree1 on the system bus, following
org.projectatomic.rpmostree1.xml (names, signatures, object paths) for what imageswitch uses.

Usage
  fake_rpmostreed.py --state STATE.json [--faults FAULTS.json] [--osname rhcos]
      Serves on the bus named by DBUS_SYSTEM_BUS_ADDRESS until SIGTERM.
  fake_rpmostreed.py --reboot STATE.json
      Simulates the reboot: when FinalizeDeployment unlocked the staged deployment it becomes the
      booted one; a still-locked staged deployment is dropped (as ostree does); "boots" += 1.
  fake_rpmostreed.py --init STATE.json --image REF --digest sha256:…
      Writes a fresh state with one booted deployment of REF (pinned) and no staged one.

Objects
  /org/projectatomic/rpmostree1/Sysroot  (…Sysroot): Booted (o), Path (s), ActiveTransaction
      ((sss)), ActiveTransactionPath (s), Deployments (aa{sv}), RegisterClient, UnregisterClient,
      Reload, GetOS.
  /org/projectatomic/rpmostree1/<osname> (…OS): Rebase(a{sv} s as → s), UpdateDeployment
      (a{sv} a{sv} → s, honours "set-refspec"), Cleanup(as → s), FinalizeDeployment(a{sv} → s),
      BootedDeployment / DefaultDeployment (a{sv}), Name (s).
  Each transaction is served on its own peer-to-peer D-Bus server (unix:dir=<state dir>/txn-*)
  at "/" (fake_rpmostreed_txn.py),
  interface …Transaction: Start() → b, Cancel(), Title; signals Message, TaskBegin, TaskEnd,
  PercentProgress, ProgressEnd, Finished(b, s).

State file (JSON, rewritten after each change):
  {"osname": "rhcos",
   "booted": {"id", "checksum", "container-image-reference", "container-image-reference-digest"},
   "staged": null | {same keys},
   "finalization_locked": bool,   # the staged deployment was made with lock-finalization
   "reboot_requests": int,        # FinalizeDeployment calls that would reboot the host
   "boots": int,                  # --reboot runs
   "registered_clients": [ids], "calls": [{"method": …, "args": …, "ts": Unix time (float)}]}

Faults file (JSON, re-read at every call; all keys optional):
  "fail": "message"          → the transaction ends with Finished(false, message)
  "crash_before_finished": true → the daemon exits (status 3) after the first progress signals
  "delay_s": float           → the transaction waits this long before Finished
  "pull_delay_s": float      → only transactions that pull an image (Rebase, UpdateDeployment;
                               not FinalizeDeployment or Cleanup) wait this long (added to delay_s)
  "busy": "title"            → mutating methods fail with "Transaction in progress: title"
                               and ActiveTransaction names it
  "omit_digest": true        → deployments lack container-image-reference-digest (old daemon)
  "progress_steps": int      → number of PercentProgress signals (default 5)
  "no_reply_once": true      → the first RegisterClient gets no reply (client must retry)
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

sys.dont_write_bytecode = True  # keep the source tree clean
from fake_rpmostreed_txn import Transaction  # noqa: E402

BUS_NAME = "org.projectatomic.rpmostree1"
BASE = "/org/projectatomic/rpmostree1"
SYSROOT_IFACE = BUS_NAME + ".Sysroot"
OS_IFACE = BUS_NAME + ".OS"
PROPS_IFACE = "org.freedesktop.DBus.Properties"
GIO_FAILED = "org.gtk.GDBus.UnmappedGError.Quark._g_2dio_2derror_2dquark.Code0"


class Failed(dbus.DBusException):
    _dbus_error_name = GIO_FAILED


def load_json(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def save_json(path, data):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)))
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def digest_of(ref):
    at = ref.rfind("@sha256:")
    return ref[at + 1:] if at >= 0 else ""


def make_deployment(osname, refspec, serial):
    checksum = hashlib.sha256(refspec.encode()).hexdigest()
    return {
        "id": "%s-%s.%d" % (osname, checksum, serial),
        "checksum": checksum,
        "container-image-reference": refspec,
        "container-image-reference-digest": digest_of(refspec),
    }


def deployment_dict(osname, d, booted, staged, omit_digest):
    out = {
        "id": dbus.String(d["id"]),
        "osname": dbus.String(osname),
        "serial": dbus.Int32(0),
        "checksum": dbus.String(d["checksum"]),
        "version": dbus.String("9.6.20261126"),
        "timestamp": dbus.UInt64(1764115200),
        "origin": dbus.String(d["container-image-reference"]),
        "booted": dbus.Boolean(booted),
        "staged": dbus.Boolean(staged),
        "pinned": dbus.Boolean(False),
        "unlocked": dbus.String("none"),
        "requested-packages": dbus.Array([], signature="s"),
        "container-image-reference": dbus.String(d["container-image-reference"]),
    }
    if not omit_digest and d.get("container-image-reference-digest"):
        out["container-image-reference-digest"] = dbus.String(d["container-image-reference-digest"])
    return dbus.Dictionary(out, signature="sv")


class Daemon:
    """Shared state of the fake: the state file, the faults file and the active transaction."""

    def __init__(self, state_path, faults_path, osname):
        self.state_path = state_path
        self.faults_path = faults_path
        self.osname = osname
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

    def deployments(self):
        s = self.state()
        omit = bool(self.faults().get("omit_digest"))
        out = []
        if s.get("staged"):
            out.append(deployment_dict(self.osname, s["staged"], False, True, omit))
        if s.get("booted"):
            out.append(deployment_dict(self.osname, s["booted"], True, False, omit))
        return out

    def begin(self, title, work):
        """Creates a transaction running `work(txn)` after Start; returns its address."""
        busy = self.faults().get("busy")
        if busy:
            raise Failed("Transaction in progress: %s\n You can cancel the current transaction "
                         "with `rpm-ostree cancel`" % busy)
        if self.active is not None:
            raise Failed("Transaction in progress: %s\n You can cancel the current transaction "
                         "with `rpm-ostree cancel`" % self.active.title)
        self.active = Transaction(self, title, work)
        return self.active.address


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


class Sysroot(dbus.service.Object):
    def __init__(self, bus, daemon):
        super().__init__(bus, BASE + "/Sysroot")
        self.daemon = daemon

    def props(self):
        active = self.daemon.active
        busy = self.daemon.faults().get("busy")
        if busy:
            at = ("Rebase", ":1.999", "/")
        elif active is not None:
            at = (active.title, ":1.0", "/")
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

    @dbus.service.method(PROPS_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        props = self.props()
        if prop not in props:
            raise dbus.DBusException("Unknown property " + prop,
                                     name="org.freedesktop.DBus.Error.UnknownProperty")
        return props[prop]

    @dbus.service.method(PROPS_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.props()


class OS(dbus.service.Object):
    def __init__(self, bus, daemon):
        super().__init__(bus, daemon.os_path())
        self.daemon = daemon

    def deploy(self, refspec, options, method):
        if not refspec.startswith("ostree-unverified-registry:") or "@sha256:" not in refspec:
            raise Failed("Invalid refspec '%s': expected a digest-pinned "
                         "ostree-unverified-registry: reference" % refspec)
        lock = bool(options.get("lock-finalization", False))
        self.daemon.record(method, {"refspec": refspec, "options": variant_plain(options)})

        def work(txn):
            s = self.daemon.state()
            s["staged"] = make_deployment(self.daemon.osname, refspec, 1)
            s["finalization_locked"] = lock
            if options.get("reboot", False):
                s["reboot_requests"] += 1
            self.daemon.save(s)

        cmdline = str(options.get("initiating-command-line", "")) or "rebase"
        return self.daemon.begin("%s (%s)" % (cmdline, refspec), work)

    @dbus.service.method(OS_IFACE, in_signature="a{sv}sas", out_signature="s")
    def Rebase(self, options, refspec, packages):
        if len(packages) != 0:
            raise Failed("Package layering is not supported by this fake")
        return self.deploy(str(refspec), options, "Rebase")

    @dbus.service.method(OS_IFACE, in_signature="a{sv}a{sv}", out_signature="s")
    def UpdateDeployment(self, modifiers, options):
        refspec = str(modifiers.get("set-refspec", ""))
        return self.deploy(refspec, options, "UpdateDeployment")

    @dbus.service.method(OS_IFACE, in_signature="as", out_signature="s")
    def Cleanup(self, elements):
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

        return self.daemon.begin("cleanup", work)

    @dbus.service.method(OS_IFACE, in_signature="a{sv}", out_signature="s")
    def FinalizeDeployment(self, options):
        self.daemon.record("FinalizeDeployment", {"options": variant_plain(options)})
        s = self.daemon.state()
        checksum = str(options.get("checksum", ""))
        if not checksum and not options.get("allow-missing-checksum", False):
            raise Failed("Missing expected checksum")
        if not s.get("staged"):
            raise Failed("No staged deployment found")
        if checksum and checksum != s["staged"]["checksum"]:
            raise Failed("Expected staged base checksum %s, but found %s"
                         % (checksum, s["staged"]["checksum"]))
        if not s.get("finalization_locked") and not options.get("allow-unlocked", False):
            raise Failed("Staged deployment is not locked")

        def work(txn):
            st = self.daemon.state()
            st["finalization_locked"] = False
            st["reboot_requests"] += 1  # the real daemon now runs `systemctl reboot`
            self.daemon.save(st)
            txn.obj.Message("Rebooting")

        return self.daemon.begin("finalize-deployment", work)

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

    @dbus.service.method(PROPS_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        props = self.props()
        if prop not in props:
            raise dbus.DBusException("Unknown property " + prop,
                                     name="org.freedesktop.DBus.Error.UnknownProperty")
        return props[prop]

    @dbus.service.method(PROPS_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.props()


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


def init_state(path, image, osname):
    s = {"osname": osname, "booted": make_deployment(osname, "ostree-unverified-registry:" + image, 0),
         "staged": None, "finalization_locked": False, "reboot_requests": 0, "boots": 0,
         "registered_clients": [], "calls": []}
    save_json(path, s)


def main():
    p = argparse.ArgumentParser(description="fake rpm-ostreed (see the module docstring)")
    p.add_argument("--state")
    p.add_argument("--faults")
    p.add_argument("--osname", default="rhcos")
    p.add_argument("--reboot", metavar="STATE")
    p.add_argument("--init", metavar="STATE")
    p.add_argument("--image", help="pinned image for --init")
    a = p.parse_args()
    if a.reboot:
        simulate_reboot(a.reboot)
        return
    if a.init:
        if not a.image or "@sha256:" not in a.image:
            sys.exit("fake_rpmostreed: --init needs --image REPO@sha256:…")
        init_state(a.init, a.image, a.osname)
        return
    if not a.state:
        sys.exit("fake_rpmostreed: --state is required")
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    daemon = Daemon(a.state, a.faults, load_json(a.state, {}).get("osname", a.osname))
    keep = [Sysroot(bus, daemon), OS(bus, daemon)]
    name = dbus.service.BusName(BUS_NAME, bus, do_not_queue=True)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, loop.quit)
    loop.run()
    del keep, name


if __name__ == "__main__":
    main()
