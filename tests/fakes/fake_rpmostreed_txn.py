"""The transaction half of fake_rpmostreed.py: each transaction is served on its own
peer-to-peer D-Bus server (dbus.server.Server on unix:dir=…), object "/", interface
org.projectatomic.rpmostree1.Transaction: Start() → b, Cancel(), Properties.Get(Title);
signals Message(s), TaskBegin(s), TaskEnd(s), PercentProgress(s, u), ProgressEnd(), Finished(b, s).
The daemon passes itself (faults(), active) and a `work(txn)` callable run before Finished(true);
an exception raised by `work` becomes Finished(false, its text), as a failing execute() does
upstream (src/daemon/rpmostreed-transaction.cxx). After Start the transaction runs on even when
its client goes away.
"""

import os
import tempfile

import dbus
import dbus.server
import dbus.service
from gi.repository import GLib

TXN_IFACE = "org.projectatomic.rpmostree1.Transaction"
PROPS_IFACE = "org.freedesktop.DBus.Properties"


class TxnObject(dbus.service.Object):
    """The Transaction interface at "/" on every peer connection of one transaction."""

    def __init__(self, txn):
        super().__init__()
        self.txn = txn

    @dbus.service.method(TXN_IFACE, in_signature="", out_signature="b")
    def Start(self):
        return self.txn.start()

    @dbus.service.method(TXN_IFACE, in_signature="", out_signature="")
    def Cancel(self):
        self.txn.cancel()

    @dbus.service.method(PROPS_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        if prop == "Title":
            return dbus.String(self.txn.title)
        if prop == "InitiatingClientDescription":
            return dbus.String("imageswitch")
        raise dbus.DBusException("no such property", name="org.freedesktop.DBus.Error.UnknownProperty")

    @dbus.service.signal(TXN_IFACE, signature="s")
    def Message(self, text):
        pass

    @dbus.service.signal(TXN_IFACE, signature="s")
    def TaskBegin(self, text):
        pass

    @dbus.service.signal(TXN_IFACE, signature="s")
    def TaskEnd(self, text):
        pass

    @dbus.service.signal(TXN_IFACE, signature="su")
    def PercentProgress(self, text, percentage):
        pass

    @dbus.service.signal(TXN_IFACE, signature="")
    def ProgressEnd(self):
        pass

    @dbus.service.signal(TXN_IFACE, signature="bs")
    def Finished(self, success, error_message):
        pass


class TxnServer(dbus.server.Server):
    def __new__(cls, address, txn):
        return super().__new__(cls, address)

    def __init__(self, address, txn):
        super().__init__()
        self.txn = txn

    def connection_added(self, conn):
        self.txn.connections.append(conn)
        self.txn.obj.add_to_connection(conn, "/")

    def connection_removed(self, conn):
        if conn in self.txn.connections:
            self.txn.connections.remove(conn)
            try:
                self.txn.obj.remove_from_connection(conn)
            except Exception:
                pass


class Transaction:
    def __init__(self, daemon, title, work, pulls=False):
        self.daemon = daemon
        self.title = title
        self.work = work
        self.pulls = pulls  # pulls an image: the "pull_delay_s" fault slows it down
        self.method = ""    # the D-Bus method that created it, its arguments and caller
        self.args = None
        self.sender = ""
        self.connections = []
        self.started = False
        self.done = False
        self.obj = TxnObject(self)
        # Beside the state file, so the test's temp dir removal also removes leftovers (a crash,
        # SIGTERM before close()); unix socket paths are limited to 107 bytes.
        base = os.path.dirname(os.path.abspath(daemon.state_path))
        self.sockdir = tempfile.mkdtemp(prefix="txn-", dir=base if len(base) < 60 else None)
        self.server = TxnServer("unix:dir=" + self.sockdir, self)
        self.address = self.server.address

    def start(self):
        if self.started:
            return False
        self.started = True
        GLib.idle_add(self.run)
        return True

    def cancel(self):
        if not self.done:
            self.finish(False, "Transaction cancelled")

    def flush(self):
        for c in self.connections:
            try:
                c.flush()
            except Exception:
                pass

    def run(self):
        faults = self.daemon.faults()
        self.obj.TaskBegin(self.title)
        self.obj.Message("Pulling manifest for " + self.title)
        steps = int(faults.get("progress_steps", 5))
        for i in range(steps + 1):
            self.obj.PercentProgress("Importing layers", dbus.UInt32(i * 100 // max(steps, 1)))
        if faults.get("crash_before_finished"):
            self.flush()
            os._exit(3)
        delay = float(faults.get("delay_s", 0))
        if self.pulls:
            delay += float(faults.get("pull_delay_s", 0))
        GLib.timeout_add(int(delay * 1000), self.complete, faults)
        return False

    def complete(self, faults):
        if self.done:
            return False
        if faults.get("fail"):
            self.finish(False, faults["fail"])
            return False
        try:
            self.work(self)
        except Exception as e:  # the work's own failure becomes Finished(false)
            self.finish(False, str(e))
            return False
        self.obj.TaskEnd(self.title)
        self.finish(True, "")
        return False

    def finish(self, success, message):
        self.done = True
        self.obj.Finished(dbus.Boolean(success), message)
        self.flush()
        if self.daemon.active is self:
            self.daemon.active = None
        GLib.timeout_add(2000, self.close)

    def close(self):
        try:
            self.server.disconnect()
        except Exception:
            pass
        for c in self.connections:
            try:
                c.close()
            except Exception:
                pass
        try:
            for name in os.listdir(self.sockdir):
                os.unlink(os.path.join(self.sockdir, name))
            os.rmdir(self.sockdir)
        except OSError:
            pass
        return False
