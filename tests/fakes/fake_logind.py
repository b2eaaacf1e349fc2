#!/usr/bin/python3
"""Fake systemd-logind: org.freedesktop.login1 at /org/freedesktop/login1, interface
org.freedesktop.login1.Manager, with the two methods imageswitch uses:
  CanReboot() → s       answers the "can_reboot" value of the state file (default "yes")
  Reboot(b interactive) records {"interactive": b} in "reboots" of the state file; refused with
                        org.freedesktop.DBus.Error.AccessDenied when can_reboot is "no"/"na".
It also emits PrepareForShutdown(true) on Reboot, like the real logind.

Usage: fake_logind.py --state STATE.json   (serves on DBUS_SYSTEM_BUS_ADDRESS until SIGTERM)
State file: {"can_reboot": "yes", "reboots": [{"interactive": false}, …]} — re-read on each call,
so a test can change can_reboot while the fake runs.
"""

import argparse

import dbus
import dbus.mainloop.glib
import dbus.service

from bus_service import serve
from fakelib import load_json, save_json

IFACE = "org.freedesktop.login1.Manager"


class Manager(dbus.service.Object):
    def __init__(self, bus, state):
        super().__init__(bus, "/org/freedesktop/login1")
        self.state = state

    @dbus.service.method(IFACE, in_signature="", out_signature="s")
    def CanReboot(self):
        return load_json(self.state, {}).get("can_reboot", "yes")

    @dbus.service.method(IFACE, in_signature="b", out_signature="")
    def Reboot(self, interactive):
        s = load_json(self.state, {})
        if s.get("can_reboot", "yes") in ("no", "na"):
            raise dbus.DBusException("Access denied",
                                     name="org.freedesktop.DBus.Error.AccessDenied")
        s.setdefault("reboots", []).append({"interactive": bool(interactive)})
        save_json(self.state, s)
        self.PrepareForShutdown(True)

    @dbus.service.signal(IFACE, signature="b")
    def PrepareForShutdown(self, start):
        pass


def main():
    p = argparse.ArgumentParser(description="fake systemd-logind (see the module docstring)")
    p.add_argument("--state", required=True)
    a = p.parse_args()
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    serve(bus, "org.freedesktop.login1", [Manager(bus, a.state)])


if __name__ == "__main__":
    main()
