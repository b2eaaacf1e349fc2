"""Helpers for the imageswitch benchmarks: repeated timed runs, statistics, request counting and
the local servers (registry fixture, host fakes on a private bus, fake API server).

Everything listens on 127.0.0.1 only, every wait is bounded, and every process started here is
stopped by its own pid (`Servers.stop_all`)."""

import json
import os
import signal
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKES = os.path.join(ROOT, "tests", "fakes")
PY = "/usr/bin/python3"  # Debian's: has python3-dbus and python3-gi


class Stat:
    """Median, min and max of a list of numbers."""

    def __init__(self, values):
        self.values = list(values)
        self.median = statistics.median(self.values)
        self.min = min(self.values)
        self.max = max(self.values)

    def fmt(self, unit="", digits=1):
        f = "%%.%df" % digits
        return "%s%s (%s–%s)" % (f % self.median, unit, f % self.min, f % self.max)


def runstat(runstat_bin, n, cmd, env=None, stdout_file=None, timeout=600):
    """Runs `cmd` n times under bench/runstat; returns one dict per run:
    wall_ms, rss_kb, user_ms, sys_ms, cpu_ms, rc."""
    args = [runstat_bin, str(n)]
    if stdout_file:
        args += ["--stdout", stdout_file]
    out = subprocess.run(args + ["--"] + cmd, env=env, capture_output=True, text=True,
                         timeout=timeout, check=True).stdout
    runs = []
    for line in out.splitlines():
        wall, rss, user, sys_, rc = line.split()
        runs.append({"wall_ms": float(wall), "rss_kb": int(rss), "user_ms": float(user),
                     "sys_ms": float(sys_), "cpu_ms": float(user) + float(sys_), "rc": int(rc)})
    if len(runs) != n:
        raise RuntimeError("runstat gave %d of %d runs for %s" % (len(runs), n, cmd[0]))
    return runs


def column(runs, key):
    return Stat(r[key] for r in runs)


def line_count(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def settled_count(path, settle_s=0.15, timeout_s=5.0):
    """Line count of a log written asynchronously by a server, once it stopped growing."""
    deadline = time.monotonic() + timeout_s
    last = line_count(path)
    while time.monotonic() < deadline:
        time.sleep(settle_s)
        now = line_count(path)
        if now == last:
            return now
        last = now
    return last


def read_json_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def wait_for(pred, what, timeout_s=20.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise RuntimeError("%s did not come up within %.0f s" % (what, timeout_s))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class Servers:
    """Starts the local servers the benchmarks need and stops them again (by pid)."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.procs = []
        self.registry_dir = None

    # --- registry fixture (docker-registry on 127.0.0.1, signed images) ---
    def registry(self):
        self.registry_dir = os.path.join(self.workdir, "registry")
        subprocess.run([PY, os.path.join(ROOT, "tests", "fixtures", "registry_fixture.py"), "up",
                        "--workdir", self.registry_dir], check=True, capture_output=True,
                       timeout=300)
        with open(os.path.join(self.registry_dir, "fixture.json")) as f:
            return json.load(f)

    def registry_log(self):
        return os.path.join(self.registry_dir, "plain", "registry.log")

    # --- private system bus with fake rpm-ostreed and fake logind ---
    def host_fakes(self, name, booted_image, faults=None):
        d = os.path.join(self.workdir, name)
        os.makedirs(d, exist_ok=True)
        if faults is not None:
            write(os.path.join(d, "rpmostreed-faults.json"), json.dumps(faults))
        p = subprocess.Popen([PY, os.path.join(FAKES, "host_fakes.py"), "--dir", d, "--image",
                              booted_image], stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(d, "host_fakes.log"), "w"))
        self.procs.append(p)
        env_file = os.path.join(d, "env")
        wait_for(lambda: os.path.exists(env_file) or p.poll() is not None, "host fakes")
        if p.poll() is not None:
            raise RuntimeError("host fakes failed (see %s/host_fakes.log)" % d)
        key, value = open(env_file).read().strip().split("=", 1)
        return d, {key: value}

    # --- fake kube-apiserver (HTTPS, client certificates) ---
    def pki(self):
        d = os.path.join(self.workdir, "pki")
        if not os.path.exists(os.path.join(d, "ca.pem")):
            subprocess.run(["sh", os.path.join(FAKES, "make_test_pki.sh"), d, "n1"], check=True,
                           capture_output=True, timeout=60)
        return d

    def apiserver(self, name, state):
        d = os.path.join(self.workdir, name)
        os.makedirs(d, exist_ok=True)
        pki = self.pki()
        write(os.path.join(d, "state.json"), json.dumps(state))
        write(os.path.join(d, "requests.log"), "")
        port_file = os.path.join(d, "port")
        p = subprocess.Popen([PY, os.path.join(FAKES, "kube_apiserver"), "--cert",
                              pki + "/server.pem", "--key", pki + "/server.key", "--client-ca",
                              pki + "/ca.pem", "--state", d + "/state.json", "--log",
                              d + "/requests.log", "--port-file", port_file],
                             stdout=subprocess.DEVNULL, stderr=open(d + "/apiserver.log", "w"))
        self.procs.append(p)
        wait_for(lambda: os.path.exists(port_file) or p.poll() is not None, "fake API server")
        if p.poll() is not None:
            raise RuntimeError("fake API server failed (see %s/apiserver.log)" % d)
        port = int(open(port_file).read())
        kubeconfig = os.path.join(d, "kubeconfig")
        write(kubeconfig, "\n".join([
            "apiVersion: v1", "kind: Config", "clusters:", "- name: local", "  cluster:",
            "    server: https://127.0.0.1:%d/" % port,
            "    certificate-authority: %s/ca.pem" % pki, "contexts:", "- name: kubelet",
            "  context:", "    cluster: local", "    user: kubelet", "current-context: kubelet",
            "users:", "- name: kubelet", "  user:",
            "    client-certificate: %s/node-n1.pem" % pki,
            "    client-key: %s/node-n1.key" % pki, ""]))
        return d, kubeconfig, os.path.join(d, "requests.log")

    def stop_all(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []
        if self.registry_dir:
            subprocess.run([PY, os.path.join(ROOT, "tests", "fixtures", "registry_fixture.py"),
                            "down", "--workdir", self.registry_dir], capture_output=True,
                           timeout=60)


def node(name, annotations=None):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name},
                         "annotations": annotations or {}},
            "spec": {}, "status": {}}


def trust_config(d, registry_host, policy, key=None):
    """Writes policy.json, registries.conf, registries.d and certs.d under d; returns the
    config keys for them. policy: "any" (insecureAcceptAnything) or "sigstore" (key)."""
    write(d + "/registries.conf", '[[registry]]\nlocation = "%s"\ninsecure = true\n' % registry_host)
    write(d + "/registries.d/default.yaml", "default-docker:\n  use-sigstore-attachments: true\n")
    os.makedirs(d + "/certs.d", exist_ok=True)
    if policy == "any":
        p = {"default": [{"type": "insecureAcceptAnything"}]}
    else:
        p = {"default": [{"type": "sigstoreSigned", "keyPath": key}]}
    write(d + "/policy.json", json.dumps(p))
    return {"policy_file": d + "/policy.json", "registries_conf": d + "/registries.conf",
            "registries_d": d + "/registries.d", "certs_d": d + "/certs.d",
            "auth_file": d + "/auth.json", "state_dir": d + "/state", "runtime_dir": d + "/run",
            "architecture": "amd64", "node_name": "n1"}


def write_config(d, keys):
    path = os.path.join(d, "config.json")
    write(path, json.dumps(keys, indent=1))
    return path
