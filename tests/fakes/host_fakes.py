#!/usr/bin/python3
"""Launcher for whole-node simulations: a private dbus-daemon acting as the system bus, plus
fake_rpmostreed.py and fake_logind.py on it, until SIGTERM/SIGINT (then everything is stopped).

Usage: host_fakes.py --dir DIR [--image REPO@sha256:…] [--generation pre-2025.7|2025.7]
                     [--no-rpmostreed] [--no-logind]
  DIR/env                    written once the fakes own their names: DBUS_SYSTEM_BUS_ADDRESS=…
  DIR/rpmostreed-state.json  fake_rpmostreed state (created with --image when missing)
  DIR/rpmostreed-faults.json fake_rpmostreed faults (optional, re-read at every call)
  DIR/logind-state.json      fake_logind state
  DIR/sysroot                the deployments' files (ostree/deploy/…; config key "sysroot")
Exit status 1 when something did not come up within 15 s. Simulate a reboot with
`fake_rpmostreed.py --reboot DIR/rpmostreed-state.json` (stop this launcher first, or not: the
fake re-reads its state file at every call).
"""

import argparse
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={sock}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
"""


def wait_for(pred, what, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.05)
    sys.exit("host_fakes: %s did not come up within %.0f s" % (what, timeout))


def has_owner(address, name):
    r = subprocess.run(["/usr/bin/dbus-send", "--bus=" + address, "--print-reply",
                        "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus.NameHasOwner", "string:" + name],
                       capture_output=True, text=True, timeout=5)
    return "boolean true" in r.stdout


def main():
    p = argparse.ArgumentParser(description="private system bus + host fakes")
    p.add_argument("--dir", required=True)
    p.add_argument("--image")
    p.add_argument("--generation", choices=("pre-2025.7", "2025.7"), default="2025.7",
                   help="rpm-ostreed generation (what FinalizeDeployment's checksum must be)")
    p.add_argument("--no-rpmostreed", action="store_true")
    p.add_argument("--no-logind", action="store_true")
    a = p.parse_args()
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "bus.conf")
    with open(conf, "w") as f:
        f.write(CONFIG.format(sock=os.path.join(d, "system_bus_socket")))
    procs = []
    addr_file = os.path.join(d, "bus.address")
    with open(addr_file, "w") as out:
        procs.append(subprocess.Popen(["/usr/bin/dbus-daemon", "--config-file=" + conf,
                                       "--nofork", "--print-address=1"], stdout=out))

    def stop(*_):
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    wait_for(lambda: open(addr_file).read().endswith("\n"), "dbus-daemon")
    address = open(addr_file).read().strip()
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address)
    state = os.path.join(d, "rpmostreed-state.json")
    if not a.no_rpmostreed:
        if not os.path.exists(state):
            if not a.image:
                sys.exit("host_fakes: no %s; pass --image REPO@sha256:…" % state)
            subprocess.run([PY, os.path.join(HERE, "fake_rpmostreed.py"), "--init", state,
                            "--image", a.image, "--sysroot", os.path.join(d, "sysroot")],
                           check=True)
        procs.append(subprocess.Popen([PY, os.path.join(HERE, "fake_rpmostreed.py"), "--state",
                                       state, "--faults",
                                       os.path.join(d, "rpmostreed-faults.json"),
                                       "--generation", a.generation], env=env))
        wait_for(lambda: has_owner(address, "org.projectatomic.rpmostree1"), "fake rpm-ostreed")
    if not a.no_logind:
        procs.append(subprocess.Popen([PY, os.path.join(HERE, "fake_logind.py"), "--state",
                                       os.path.join(d, "logind-state.json")], env=env))
        wait_for(lambda: has_owner(address, "org.freedesktop.login1"), "fake logind")
    with open(os.path.join(d, "env"), "w") as f:
        f.write("DBUS_SYSTEM_BUS_ADDRESS=%s\n" % address)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
