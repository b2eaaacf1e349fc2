#!/usr/bin/python3
"""Fleet simulation benchmark: N simulated nodes, each running the real agent on its own simulated
host, against one fake API server and one gate slot (Lease, then FleetLock). Prints the rollout
makespan, the handoff gaps, the API load idle and during the rollout, the faults' outcome and one
summary line per gate. Figures only: never fails on a number (exit 1 only when the simulation
itself broke: a host did not come up, a healthy node never finished).

  /usr/bin/python3 bench/fleet.py --binary build/src/imageswitch [--nodes 20]
      [--gates lease,fleetlock] [--scale 60] [--drain-s 60] [--reboot-s 180] [--idle-s 1800]
      [--ttl-s 1600] [--no-faults] [--out FILE.md] [--dump FILE.json] [--smoke]

Needs a -Dfailpoints=true build (IMAGESWITCH_BOOT_ID_FILE). See bench/README.md.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fleetsim import ANN, Clock, Cluster, Unit, start_world  # noqa: E402
import fleetreport  # noqa: E402


class Rollout:
    """One gate's run: idle window, rollout with faults, the dead node's late return."""

    def __init__(self, args, base, hosts, clock, gate, measure_idle):
        self.args, self.base, self.hosts, self.clock, self.gate = args, base, hosts, clock, gate
        self.measure_idle = measure_idle
        self.names = [h.name for h in hosts]
        faults = not args.no_faults and len(hosts) >= 4
        self.crash = self.names[1] if faults else None
        self.dead = self.names[len(hosts) // 2] if faults else None
        self.marks = {}
        self.notes = []

    def run(self):
        a = self.args
        self.cluster = Cluster(self.base, self.names, self.gate, self.clock.real(a.drain_s))
        self.cluster.start()
        try:
            return self.steps()
        finally:
            for u in getattr(self, "units", []):
                u.stop()
                u.kill_pass()
            for u in getattr(self, "units", []):
                u.join(10)
            self.cluster.stop()

    def steps(self):
        a = self.args
        for h in self.hosts:
            if h.boot > 1 or os.path.exists(h.state_file()):
                h.fresh()
            self.cluster.configure(h, a.ttl_s)
        self.units = [Unit(self, h, dead=(h.name == self.dead)) for h in self.hosts]
        t0 = time.time()
        for u in self.units:  # first passes spread over a few seconds, like boots
            u.due = t0 + random.uniform(0, 3)
            u.start()
        self.wait(lambda: all(u.passes for u in self.units), 120, "every node's first pass")
        if self.measure_idle:
            self.marks["idle0"] = time.time()
            time.sleep(self.clock.real(a.idle_s))
            self.marks["idle1"] = time.time()
        self.rollout()
        return self.collect()

    def wait(self, pred, timeout, what):
        end = time.time() + timeout
        while time.time() < end:
            if pred():
                return True
            time.sleep(0.25)
        self.notes.append("timed out after %d s waiting for %s" % (timeout, what))
        return False

    def rollout(self):
        a = self.args
        self.target = self.base.pinned("v2")
        self.marks["roll"] = time.time()
        for n in self.names:
            self.cluster.set_desired(n, self.target)
        watcher = threading.Thread(target=self.watch_faults, daemon=True)
        self.watching = True
        watcher.start()
        healthy = [n for n in self.names if n != self.dead]
        dead = [u for u in self.units if u.host.name == self.dead]
        ok = self.wait(lambda: (set(healthy) <= self.done_nodes() and
                                all(u.down_since for u in dead)), a.timeout, "the rollout")
        self.marks["end"] = time.time()
        self.rollout_ok = ok
        self.watching = False
        watcher.join(5)
        if self.dead:
            self.late_return()

    def done_nodes(self):
        state = self.cluster.api("GET", "/_fake/state")
        done = set()
        for node in state["nodes"]:
            ann = node["metadata"].get("annotations", {})
            if ann.get(ANN + "state") == "Done" and ann.get(ANN + "currentImage") == self.target:
                done.add(node["metadata"]["name"])
        return done

    def watch_faults(self):
        """Crash: SIGKILL the crash node's pass at its first eviction. Dead node's FleetLock
        slot: released by a simulated admin `--ttl-s` after the node should have been back."""
        log = self.cluster.p("api.log")
        offset, crashed, released = 0, self.crash is None, False
        unit = {u.host.name: u for u in self.units}
        while self.watching:
            if not crashed:
                with open(log) as f:
                    f.seek(offset)
                    chunk = f.read()
                    offset = f.tell()
                user = '"system:node:%s"' % self.crash
                for line in chunk.splitlines():
                    if "/eviction" in line and user in line and '"method": "POST"' in line:
                        unit[self.crash].kill_pass()
                        self.marks["crash"] = time.time()
                        crashed = True
                        break
            d = unit.get(self.dead)
            if (self.gate == "fleetlock" and d is not None and d.down_since and not released and
                    time.time() > d.down_since + self.clock.real(self.args.reboot_s) +
                    self.args.ttl_s):
                self.cluster.fleetlock_release(self.dead)
                self.marks["admin_release"] = time.time()
                released = True
            time.sleep(0.05)

    def late_return(self):
        """The dead node comes back after the rollout, on its old deployment (rolled back)."""
        u = next(u for u in self.units if u.host.name == self.dead)
        if u.down_since is None:
            self.notes.append("the dead node %s never asked for its reboot" % self.dead)
            return
        u.host.come_back(rollback=True)
        u.dead = False
        n = len(u.passes)
        u.kick("boot")
        self.wait(lambda: len(u.passes) > n, 60, "the dead node's boot pass")
        node = next(x for x in self.cluster.api("GET", "/_fake/state")["nodes"]
                    if x["metadata"]["name"] == self.dead)
        ann = node["metadata"].get("annotations", {})
        self.dead_report = (ann.get(ANN + "state", ""), ann.get(ANN + "reason", ""),
                            u.passes[-1]["rc"] if len(u.passes) > n else None)

    def collect(self):
        state = self.cluster.api("GET", "/_fake/state")
        fl = self.cluster.log("fleetlock.log") if self.gate == "fleetlock" else []
        return {"gate": self.gate, "names": self.names, "crash": self.crash, "dead": self.dead,
                "marks": dict(self.marks), "notes": self.notes, "api": self.cluster.log("api.log"),
                "fleetlock": fl, "leases": state["leases"],
                "passes": {u.host.name: u.passes for u in self.units},
                "squeezed": list(self.clock.squeezed), "ok": getattr(self, "rollout_ok", False),
                "dead_report": getattr(self, "dead_report", None)}

    # The Unit threads reach the fleet's knobs through these.
    @property
    def reboot_s(self):
        return self.args.reboot_s


def main():
    p = argparse.ArgumentParser(description="imageswitch fleet simulation benchmark")
    p.add_argument("--binary", required=True)
    p.add_argument("--nodes", type=int, default=20)
    p.add_argument("--gates", default="lease,fleetlock")
    p.add_argument("--scale", type=float, default=60.0,
                   help="simulated seconds per real second for timers, drains and reboots")
    p.add_argument("--drain-s", type=float, default=60.0, help="simulated drain (pod shutdown)")
    p.add_argument("--reboot-s", type=float, default=180.0,
                   help="simulated reboot: down until network-online")
    p.add_argument("--idle-s", type=float, default=1800.0, help="simulated idle window")
    p.add_argument("--ttl-s", type=int, default=1600,
                   help="Lease ttl_s (real seconds); also when the FleetLock admin steps in")
    p.add_argument("--timeout", type=float, default=900.0, help="real seconds for one rollout")
    p.add_argument("--no-faults", action="store_true")
    p.add_argument("--out", help="also write the report (markdown) to this file")
    p.add_argument("--dump", help="write the raw results (JSON) to this file")
    p.add_argument("--smoke", action="store_true",
                   help="exit 1 unless every rollout finished, a waiting pass exited 10 and was "
                        "restarted, and nothing got 403 (no figure is checked)")
    args = p.parse_args()
    random.seed(1)
    t0 = time.time()
    args.header = header(args.binary)
    print("fleet: N=%d nodes, gates %s; bringing up the hosts (dbus-daemon + fake rpm-ostreed + "
          "fake logind each)..." % (args.nodes, args.gates), flush=True)
    base, hosts = start_world(args.binary, args.nodes)
    results = []
    try:
        print("fleet: %d hosts up in %.1f s" % (len(hosts), time.time() - t0), flush=True)
        for i, gate in enumerate(args.gates.split(",")):
            clock = Clock(args.scale)
            t1 = time.time()
            r = Rollout(args, base, hosts, clock, gate, measure_idle=(i == 0)).run()
            print("fleet: gate=%s simulated in %.0f s real" % (gate, time.time() - t1), flush=True)
            results.append(r)
    finally:
        for h in hosts:
            h.stop()
        base.stop()
    if args.dump:
        with open(args.dump, "w") as f:
            json.dump({"args": vars(args), "results": results}, f)
    text, broken = fleetreport.report(args, results, time.time() - t0)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    if args.smoke:
        broken = broken or not smoke_ok(results)
    return 1 if broken else 0


def header(binary):
    try:
        commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        commit = "?"
    load = " ".join("%.2f" % x for x in os.getloadavg())
    return ("imageswitch %s (failpoints build), %s; Linux %s, %d CPUs, load average at start %s"
            % (commit or "?", binary, os.uname().release, os.cpu_count(), load))


def smoke_ok(results):
    ok = True
    for r in results:
        passes = [p for ps in r["passes"].values() for p in ps]
        checks = {"the rollout finished": r["ok"],
                  "a pass waiting for the slot exited 10": any(p["rc"] == 10 for p in passes),
                  "a restart followed it": any(p["why"] == "restart" for p in passes),
                  "no request got 403": not any(e["status"] == 403 for e in r["api"])}
        for what, good in checks.items():
            print("smoke %s: %s: %s" % (r["gate"], what, "ok" if good else "FAILED"))
            ok = ok and good
    return ok


if __name__ == "__main__":
    sys.exit(main())
