#!/usr/bin/python3
"""Crash points and power loss: SIGKILL the agent at every step boundary (IMAGESWITCH_FAILPOINT,
test builds only), trigger again, and require convergence to Done with exactly one reboot request
and correct annotations; corrupt or truncate the state file between runs."""
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from simtest import ANN, case, check, drive, assert_done, run, state

# Every crash point in src/core/reconcile.cpp reached by a normal update (annotation source, drain).
MAIN_FLOW = ["after-resolve", "after-verify", "after-update-started", "before-stage",
             "after-stage", "after-staged", "before-kargs", "after-kargs", "before-drain", "after-drain", "before-reboot",
             "after-reboot", "before-confirm", "after-release", "after-report-done",
             "after-confirm"]


def crash_then_converge(node, point, tag="v2"):
    """Runs with the crash point armed until it fires once, then without it until Done."""
    killed = False
    for _ in range(8):
        before = node.reboot_requests()
        rc, _, err = node.run_agent(failpoint=point)
        if node.reboot_requests() > before:
            node.reboot()
        if rc == -9:
            killed = True
            break
        check(rc == 0, "exit %d before the crash point %s fired" % (rc, point), err)
    check(killed, "crash point %s never fired" % point)
    runs = drive(node)
    check(all(rc == 0 for rc, _, _ in runs), "exit codes after the crash",
          [r[0] for r in runs], runs[-1][2])
    assert_done(node, tag)
    ann = node.annotations()
    check(not ann.get(ANN + "reason"), "a reason is left on the Node", ann)


def make_case(point):
    def fn(node):
        crash_then_converge(node, point)
    fn.__name__ = "crash_" + point.replace("-", "_")
    case()(fn)


for _point in MAIN_FLOW:
    make_case(_point)

# The kernel-arguments step with a kargs.d change (src/core/kargs_step.cpp; "during-kargs" fires in
# src/host/rpmostree_kargs.cpp once KernelArgs has started: the daemon finishes it without us).
KARGS_FLOW = ["before-kargs", "during-kargs", "after-kargs"]


def make_kargs_case(point):
    def fn(node):
        node.set_image_kargs("v2", {"10-x.toml": 'kargs = ["nosmt", "hugepages=8"]\n'})
        crash_then_converge(node, point)
        kargs = [c for c in node.host()["calls"] if c["method"] == "KernelArgs"]
        check(len(kargs) == 1, "KernelArgs calls: %d" % len(kargs), kargs)
        booted = node.host()["booted"]["kargs"].split()
        check(booted.count("nosmt") == 1 and booted.count("hugepages=8") == 1,
              "booted kernel arguments", booted)
    fn.__name__ = "crash_kargs_" + point.replace("-", "_")
    case()(fn)


for _point in KARGS_FLOW:
    make_kargs_case(_point)


class FleetLock:
    """A minimal FleetLock server (one slot) for the gate crash point."""

    def __init__(self):
        self.holder = None
        lock = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                who = body["client_params"]["id"]
                ok = True
                if self.path == "/v1/pre-reboot":
                    ok = lock.holder in (None, who)
                    lock.holder = who if ok else lock.holder
                elif self.path == "/v1/steady-state" and lock.holder == who:
                    lock.holder = None
                self.send_response(200 if ok else 409)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@case()
def crash_after_gate(node):
    fl = FleetLock()
    try:
        node.write_config(coordination={"kind": "fleetlock", "url": fl.url, "group": "workers"})
        crash_then_converge(node, "after-gate")
        check(fl.holder is None, "the FleetLock slot was not released", fl.holder)
    finally:
        fl.close()


@case()
def crash_after_abandon_cleanup(node):
    node.write_config(reboot={"enabled": False})
    rc, _, err = node.run_agent()
    check(rc == 0 and node.host().get("staged"), "staging pass", err)
    node.set_desired(node.pinned("v1"))
    rc, _, _ = node.run_agent(failpoint="after-abandon-cleanup")
    check(rc == -9, "crash point did not fire: exit %d" % rc)
    runs = drive(node)
    check(runs[-1][0] == 0, "exit after the crash", runs[-1][2])
    check(node.host().get("staged") is None, "the staged v2 is still there", node.host())
    check(node.reboot_requests() == 0, "rebooted while abandoning")
    check(node.annotations().get(ANN + "state") == "Done", "not Done", node.annotations())


# ---- power loss: the state file is damaged between two triggers ------------------------------

def damage(node, how):
    path = node.state_file()
    if how == "truncate":
        with open(path, "r+") as f:
            f.truncate(os.path.getsize(path) // 2)
    elif how == "empty":
        open(path, "w").close()
    elif how == "garbage":
        with open(path, "wb") as f:
            f.write(os.urandom(300))
    elif how == "remove":
        os.unlink(path)
    elif how == "wrong-version":
        s = state(node)
        s["version"] = 999
        with open(path, "w") as f:
            json.dump(s, f)


def power_loss(node, how, after):
    """Runs until `after` (staged | rebooting), damages the state file, then converges."""
    if after == "staged":
        node.write_config(reboot={"enabled": False})
        rc, _, err = node.run_agent()
        check(rc == 0 and node.host().get("staged"), "staging pass", err)
        node.write_config(reboot={"enabled": True})
    else:
        rc, _, err = node.run_agent()
        check(rc == 0 and node.reboot_requests() == 1, "reboot pass", err)
        node.reboot()
    damage(node, how)
    runs = drive(node)
    check(all(rc == 0 for rc, _, _ in runs), "exit codes after damage", [r[0] for r in runs],
          runs[-1][2])
    # The cordon is marked on the Node too, so a lost state.json still ends uncordoned.
    assert_done(node, "v2")


for _how in ("truncate", "empty", "garbage", "remove", "wrong-version"):
    for _after in ("staged", "rebooting"):
        def _fn(node, how=_how, after=_after):
            power_loss(node, how, after)
        _fn.__name__ = "power_loss_%s_after_%s" % (_how.replace("-", "_"), _after)
        case()(_fn)


if __name__ == "__main__":
    run()
