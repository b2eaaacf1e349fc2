"""What the D-Bus fakes (rpm-ostreed, logind) share: org.freedesktop.DBus.Properties answered from
a props() dict, with the real daemon's error for an unknown property, and serving objects under a
well-known name until SIGTERM."""
import dbus
import dbus.service
from gi.repository import GLib

PROPS_IFACE = "org.freedesktop.DBus.Properties"


class PropertiesObject(dbus.service.Object):
    """A bus object whose properties are what props() returns (read-only)."""

    def props(self):
        return {}

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


def serve(bus, name, objects):
    """Owns `name` on `bus` (failing if taken) and serves `objects` until SIGTERM."""
    owned = dbus.service.BusName(name, bus, do_not_queue=True)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, loop.quit)
    loop.run()
    del objects, owned
