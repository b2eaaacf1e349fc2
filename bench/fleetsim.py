#!/usr/bin/python3
"""The fleet simulation's world (bench/fleet.py drives it): one registry with signed images, one
fake API server with N Nodes and their pods, one gate (Lease or FleetLock), and N simulated hosts,
each a private dbus-daemon with the fake rpm-ostreed and fake logind (tests/fakes/, the same
doubles as the node simulation tests/sim/simnode.py, whose Node class brings them up).

Each host's agent is the real `imageswitch run`, started the way systemd would start
imageswitch.service (Unit below): imageswitch.timer's cadence when idle (OnUnitInactiveSec=5min,
RandomizedDelaySec=1min, AccuracySec=15s), a restart after RestartSec=3 when a pass exits 10
(waiting for the gate slot) or is killed (Restart=on-failure), the boot pass when the host is back
from a reboot (imageswitch-boot.timer's 10 s elapse while the host boots to network-online).

Clock: agent passes, RestartSec= and the Lease TTL run in real time (1 s = 1 simulated s); the
timer's waits, pod termination (the drain) and a reboot's downtime are compressed SCALE times.
Every compressed wait is recorded (Clock.squeezed) so the report can convert real spans back.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(os.path.dirname(HERE), "tests", "sim")
sys.path.insert(0, SIM)
sys.dont_write_bytecode = True
from simnode import ANN, FAKES, PY, Node, free_port, wait_for, write  # noqa: E402

RESTART_S = 3.0            # imageswitch.service RestartSec=
TIMER_S = (300, 60, 15)    # imageswitch.timer OnUnitInactiveSec, RandomizedDelaySec, AccuracySec
LEASE_NS = "imageswitch"


class Clock:
    """Compression of the long waits, and the record of every compressed wait."""

    def __init__(self, scale):
        self.scale = scale
        self.squeezed = []  # (node, what, real start, real seconds)
        self.lock = threading.Lock()

    def real(self, sim_seconds):
        return sim_seconds / self.scale

    def note(self, node, what, start, real_seconds):
        with self.lock:
            self.squeezed.append((node, what, start, real_seconds))


class Host(Node):
    """One simulated host: bus + host fakes + agent files, sharing the fleet's registry."""

    def __init__(self, binary, name, base):
        super().__init__(binary)
        self.name, self.base = name, base
        self.images, self.host_port = base.images, base.host_port

    def start(self):
        for d in ("logs", "bus", "state", "run", "etc"):
            os.makedirs(self.path(d), exist_ok=True)
        self.start_bus()
        self.fresh()
        self.start_host_fakes()

    def fresh(self):
        """v1 booted, no agent state, a new boot id (between two rollouts)."""
        for d in ("state", "run"):
            shutil.rmtree(self.path(d), ignore_errors=True)
            os.makedirs(self.path(d))
        self.set_boot_id()
        self.init_host("v1")

    def stop(self):
        self.proxy = None  # the registry proxy belongs to the fleet
        super().stop()

    def reboot_requests(self):
        return self.host().get("reboot_requests", 0)

    def come_back(self, rollback=False):
        """Boot: like fake_rpmostreed.py --reboot (simulate_reboot), or on the old deployment."""
        s = self.host()
        if s.get("staged") and not rollback and not s.get("finalization_locked", False):
            s["booted"] = s["staged"]
        s["staged"], s["finalization_locked"] = None, False
        s["boots"] = s.get("boots", 0) + 1
        write(self.host_state + ".tmp", json.dumps(s))
        os.replace(self.host_state + ".tmp", self.host_state)
        self.set_boot_id()


class Unit(threading.Thread):
    """imageswitch.service + its timers for one host, as systemd would run them."""

    def __init__(self, fleet, host, dead=False):
        super().__init__(daemon=True)
        self.fleet, self.host, self.dead = fleet, host, dead
        self.passes = []       # {"start", "end", "rc", "why"}
        self.down_since = None
        self.proc = None
        self.wake = threading.Event()
        self.due, self.why = time.time(), "boot"
        self.stopping = False

    def timer_wait(self):
        base, rand, acc = TIMER_S
        return base + random.uniform(0, rand) + random.uniform(0, acc)

    def sleep_until(self, t=None):
        """Until `t`, or until self.due (which kick() may move) when `t` is None."""
        while not self.stopping:
            left = (self.due if t is None else t) - time.time()
            if left <= 0:
                return
            self.wake.wait(min(0.2, left))
            self.wake.clear()

    def run(self):
        while not self.stopping:
            self.sleep_until()
            if self.stopping:
                return
            if self.down_since is not None:  # the boot pass of a host that came back
                self.down_since = None
            before = self.host.reboot_requests()
            start = time.time()
            rc = self.run_pass()
            end = time.time()
            self.passes.append({"start": start, "end": end, "rc": rc, "why": self.why})
            if self.host.reboot_requests() > before:
                self.go_down(end)
            elif rc not in (0, 1, 2, 75):  # 10 or killed: Restart=on-failure, RestartSec=3
                self.due, self.why = end + RESTART_S, "restart"
            else:
                wait = self.timer_wait()
                self.fleet.clock.note(self.host.name, "timer", end, self.fleet.clock.real(wait))
                self.due, self.why = end + self.fleet.clock.real(wait), "timer"

    def go_down(self, at):
        self.down_since = at
        if self.dead:
            self.due, self.why = float("inf"), "never"
            return
        down = self.fleet.clock.real(self.fleet.reboot_s)
        self.fleet.clock.note(self.host.name, "reboot", at, down)
        self.sleep_until(at + down)
        self.host.come_back()
        self.due, self.why = time.time(), "boot"

    def run_pass(self):
        argv = [self.host.binary, "--config", self.host.path("etc", "config.json"), "run"]
        with open(self.host.path("logs", "agent.log"), "ab") as log:
            log.write(b"--- pass %.3f (%s)\n" % (time.time(), self.why.encode()))
            log.flush()
            self.proc = subprocess.Popen(argv, stdout=log, stderr=log, env=self.host.agent_env())
            rc = self.proc.wait()
        return rc

    def kill_pass(self):
        p = self.proc
        if p is not None and p.poll() is None:
            p.kill()

    def kick(self, why):
        self.due, self.why = time.time(), why
        self.wake.set()

    def stop(self):
        self.stopping = True
        self.wake.set()


def big_node(name, desired):
    """A Node as a busy worker has it: labels, conditions, and an image list of ~20 KB."""
    images = [{"names": ["quay.io/example/app-%02d@sha256:%064x" % (i, i * 7919 + 1),
                         "quay.io/example/app-%02d:v%d.%d" % (i, i % 7, i % 13)],
               "sizeBytes": 104857600 + i * 1048576} for i in range(100)]
    conditions = [{"type": t, "status": "False" if t != "Ready" else "True",
                   "lastHeartbeatTime": "2026-11-30T04:00:00Z",
                   "lastTransitionTime": "2026-11-29T10:00:00Z", "reason": "Kubelet" + t,
                   "message": "kubelet reports " + t} for t in
                  ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")]
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {
                "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "node-role.kubernetes.io/worker": "",
                "node.openshift.io/os_id": "rhcos"},
                "annotations": {ANN + "desiredImage": desired, ANN + "desiredConfig": "rendered-1",
                                ANN + "currentConfig": "rendered-1", ANN + "state": "Done"}},
            "spec": {"podCIDR": "10.128.0.0/23", "providerID": "sim://" + name},
            "status": {"conditions": conditions, "images": images,
                       "addresses": [{"type": "InternalIP", "address": "10.0.0.10"},
                                     {"type": "Hostname", "address": name}],
                       "capacity": {"cpu": "8", "memory": "32Gi", "pods": "250"},
                       "allocatable": {"cpu": "7500m", "memory": "30Gi", "pods": "250"},
                       "nodeInfo": {"kernelVersion": "5.14.0", "osImage": "RHCOS 9.6",
                                    "containerRuntimeVersion": "cri-o://1.33",
                                    "kubeletVersion": "v1.33.0", "architecture": "amd64"}}}


class Cluster:
    """The API server (and FleetLock server) of one rollout, with its logs."""

    def __init__(self, base, names, gate, drain_real_s):
        self.base, self.names, self.gate = base, names, gate
        self.dir = base.path("cluster-" + gate)
        os.makedirs(self.dir, exist_ok=True)
        self.drain_real_s = drain_real_s
        self.procs = []

    def p(self, *parts):
        return os.path.join(self.dir, *parts)

    def start(self):
        pki = self.base.path("pki", "kube")
        if not os.path.exists(pki + "/ca.pem"):
            subprocess.run(["sh", os.path.join(FAKES, "make_test_pki.sh"), pki, "node-00"],
                           check=True, capture_output=True)
        self.ca = pki + "/ca.pem"
        pods, tokens = [], {}
        for n in self.names:
            pods.append(Node.pod("kube-system", "node-exporter-" + n, {"app": "node-exporter"},
                                 owner={"kind": "DaemonSet", "name": "node-exporter"}, node=n))
            app = Node.pod("shop", "web-" + n, {"app": "web"}, node=n,
                           owner={"kind": "ReplicaSet", "name": "web-5d9c"})
            app["x-fake"]["terminate_after_s"] = self.drain_real_s
            pods.append(app)
            tokens["node-token-" + n] = {"user": "system:node:" + n, "groups": ["system:nodes"]}
            tokens["gate-token-" + n] = {"user": "imageswitch-gate:" + n, "groups": [],
                                         "grants": [{"resource": "leases",
                                                     "namespace": LEASE_NS}]}
        state = {"nodes": [big_node(n, self.base.pinned("v1")) for n in self.names],
                 "pods": pods, "pdbs": [], "endpoints": {"kubernetes": ["10.0.0.1"]}}
        write(self.p("state.json"), json.dumps(state))
        write(self.p("tokens.json"), json.dumps(tokens))
        write(self.p("api.log"), "")
        self.spawn([PY, os.path.join(FAKES, "kube_apiserver"), "--cert", pki + "/server.pem",
                    "--key", pki + "/server.key", "--client-ca", self.ca, "--state",
                    self.p("state.json"), "--log", self.p("api.log"), "--port-file",
                    self.p("api.port"), "--tokens", self.p("tokens.json")], "apiserver")
        wait_for(lambda: os.path.exists(self.p("api.port")), what="fake API server")
        with open(self.p("api.port")) as f:
            self.api_port = int(f.read())
        if self.gate == "fleetlock":
            write(self.p("fleetlock.log"), "")
            self.spawn([PY, os.path.join(FAKES, "fake_fleetlock.py"), "--slots", "1", "--group",
                        "workers", "--port-file", self.p("fleetlock.port"), "--log",
                        self.p("fleetlock.log")], "fleetlock")
            wait_for(lambda: os.path.exists(self.p("fleetlock.port")), what="fake FleetLock")
            with open(self.p("fleetlock.port")) as f:
                self.fleetlock_url = "http://127.0.0.1:%d" % int(f.read())

    def spawn(self, argv, name):
        log = open(self.p(name + ".out"), "ab")
        self.procs.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True))
        log.close()

    def stop(self):
        for p in self.procs:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)

    def kubeconfig(self, path, token):
        write(path, json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "sim",
            "clusters": [{"name": "sim", "cluster": {
                "server": "https://127.0.0.1:%d" % self.api_port,
                "certificate-authority": self.ca}}],
            "contexts": [{"name": "sim", "context": {"cluster": "sim", "user": "u"}}],
            "users": [{"name": "u", "user": {"token": token}}]}), 0o600)

    def configure(self, host, ttl_s):
        n = host.name
        self.kubeconfig(host.path("etc", "kubeconfig"), "node-token-" + n)
        if self.gate == "lease":
            self.kubeconfig(host.path("etc", "gate-kubeconfig"), "gate-token-" + n)
            coordination = {"kind": "lease", "namespace": LEASE_NS, "name": "rollout",
                            "max_holders": 1, "ttl_s": ttl_s,
                            "kubeconfig": host.path("etc", "gate-kubeconfig")}
        else:
            coordination = {"kind": "fleetlock", "url": self.fleetlock_url, "group": "workers"}
        b = self.base
        cfg = {"node_name": n, "source": "annotation", "kubeconfig": host.path("etc", "kubeconfig"),
               "backend": "rpm-ostree", "auth_file": b.path("etc", "auth.json"),
               "policy_file": b.path("etc", "policy.json"),
               "registries_conf": b.path("etc", "registries.conf"),
               "registries_d": b.path("etc", "registries.d"), "certs_d": b.path("etc", "certs.d"),
               "state_dir": host.path("state"), "runtime_dir": host.path("run"),
               "sysroot": host.path("sysroot"),
               "architecture": "amd64", "coordination": coordination,
               "drain": {"enabled": True, "timeout_s": 600, "eviction_retry_s": 1,
                         "grace_period_s": -1}, "reboot": {"enabled": True}}
        write(host.path("etc", "config.json"), json.dumps(cfg, indent=1))

    def api(self, method, path, body=None):
        self.base.api_port = self.api_port
        return self.base.api(method, path, body)

    def set_desired(self, name, ref):
        node = next(x for x in self.api("GET", "/_fake/state")["nodes"]
                    if x["metadata"]["name"] == name)
        node["metadata"]["annotations"][ANN + "desiredImage"] = ref
        self.api("POST", "/_fake/nodes", node)

    def fleetlock_release(self, node_id):
        """What an admin does for a node that will not come back: steady-state on its behalf."""
        import urllib.request
        req = urllib.request.Request(
            self.fleetlock_url + "/v1/steady-state", method="POST",
            data=json.dumps({"client_params": {"id": node_id, "group": "workers"}}).encode(),
            headers={"fleet-lock-protocol": "true", "Content-Type": "application/json"})
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=10).read()

    def log(self, name):
        with open(self.p(name)) as f:
            return [json.loads(line) for line in f if line.strip()]


def start_world(binary, n):
    """The shared registry and images, then N hosts brought up two at a time."""
    base = Node(binary)
    for d in ("logs", "pki", "registry", "etc/registries.d", "etc/certs.d"):
        os.makedirs(base.path(d), exist_ok=True)
    base.start_registry()
    base.push_images()
    base.write_trust_files()
    names = ["node-%02d" % i for i in range(n)]
    hosts = [Host(binary, name, base) for name in names]
    errors = []

    def bring_up(chunk):
        for h in chunk:
            try:
                h.start()
            except Exception as e:  # reported by the caller
                errors.append("%s: %s" % (h.name, e))

    threads = [threading.Thread(target=bring_up, args=(hosts[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError("hosts did not come up: " + "; ".join(errors))
    return base, hosts


__all__ = ["Clock", "Host", "Unit", "Cluster", "start_world", "RESTART_S", "TIMER_S", "free_port"]
