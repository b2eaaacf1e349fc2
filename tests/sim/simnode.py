#!/usr/bin/python3
"""A simulated node for whole-agent tests: everything `imageswitch run` talks to, on 127.0.0.1
and a private D-Bus, in one temp dir.

  * a private dbus-daemon (DBUS_SYSTEM_BUS_ADDRESS for the agent) with the fake rpm-ostreed and
    the fake logind (tests/fakes/);
  * Debian's real docker-registry with three signed images (v1 booted, v2, v3), one unsigned and
    one signed with a foreign key, behind the fault-injecting fake registry in proxy mode
    (tests/fakes/fake_registry.py) that the agent talks to (registries.conf: insecure, plain
    HTTP);
  * the fake API server (tests/fakes/kube_apiserver/) with this Node (desiredImage annotation)
    and its pods: a DaemonSet pod, a mirror pod and a Deployment pod behind a PDB;
  * a kubeconfig with a client certificate for system:node:<name>, policy.json requiring
    sigstoreSigned with the test key, registries.d with use-sigstore-attachments, config.json
    pointing every path into the temp dir.

The agent runs as systemd runs it: a fresh process per trigger (run_agent). reboot() simulates a
reboot: fake_rpmostreed.py --reboot (restarting the daemon) and a new boot id.
"""
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request

from simbase import *  # noqa: F401,F403
from sim_registry import RegistryMixin


class Node(RegistryMixin):
    """One simulated node. Use as a context manager; every process and file dies with it."""

    def __init__(self, binary):
        self.binary = os.path.abspath(binary)
        self.cluster = True
        self.source = "annotation"
        self.kube_auth = "cert"
        self.dir = tempfile.mkdtemp(prefix="imageswitch-sim-")
        self.procs = {}
        self.images = {}  # tag → digest
        self.proxy = None
        self.boot = 0
        self.config = {}
        self.secrets = []
        # rpm-ostreed generation of the fake ("pre-2025.7" | "2025.7"); a case picks it with
        # @case(generation=…), a whole run with SIM_RPMOSTREE_GENERATION.
        self.generation = os.environ.get("SIM_RPMOSTREE_GENERATION") or "2025.7"

    # ---- lifecycle ----------------------------------------------------------------------------
    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def spawn(self, name, argv, env=None):
        log = open(self.path("logs", name + ".log"), "ab")
        self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                            env=env or self.base_env(), start_new_session=True)
        log.close()
        return self.procs[name]

    def kill(self, name, sig=signal.SIGTERM):
        p = self.procs.pop(name, None)
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)

    def stop(self):
        if self.proxy:
            self.proxy.stop()
        for name in list(self.procs):
            self.kill(name)
        if os.environ.get("SIM_KEEP"):
            print("sim: kept", self.dir)
        else:
            subprocess.run(["chmod", "-R", "u+w", self.dir], stderr=subprocess.DEVNULL)
            shutil.rmtree(self.dir, ignore_errors=True)

    def base_env(self):
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + self.path("bus", "system")
        return env

    def start(self):
        for d in ("logs", "bus", "state", "run", "etc/registries.d", "etc/certs.d", "pki",
                  "registry"):
            os.makedirs(self.path(d), exist_ok=True)
        self.start_bus()
        self.start_registry()
        self.push_images()
        self.write_trust_files()
        self.set_boot_id()
        self.init_host("v1")
        self.start_host_fakes()
        self.start_apiserver()
        self.write_config()

    def reset(self, source="annotation", cluster=True, kube_auth="cert", generation=None):
        """A fresh node between tests: v1 booted, no agent state, a new cluster, no faults."""
        self.source, self.cluster, self.kube_auth = source, cluster, kube_auth
        self.generation = generation or os.environ.get("SIM_RPMOSTREE_GENERATION") or "2025.7"
        self.kill("rpmostreed")
        self.host_faults({})
        self.init_host("v1")
        for d in ("state", "run"):
            subprocess.run(["chmod", "-R", "u+w", self.path(d)], stderr=subprocess.DEVNULL)
            shutil.rmtree(self.path(d), ignore_errors=True)
            os.makedirs(self.path(d))
        self.set_boot_id()
        self.start_rpmostreed()
        self.proxy.reset()
        self.write_trust_files()
        self.kill("apiserver")
        self.start_apiserver()
        if os.path.exists(self.path("etc", "desired-image")):
            os.unlink(self.path("etc", "desired-image"))
        self.config = {}
        self.transcript = ""
        self.write_config()

    # ---- D-Bus and host fakes -----------------------------------------------------------------
    def start_bus(self):
        conf = self.path("bus", "bus.conf")
        write(conf, """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><listen>unix:path=%s</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow receive_sender="*"/></policy></busconfig>
""" % self.path("bus", "system"))
        self.spawn("dbus", ["/usr/bin/dbus-daemon", "--config-file=" + conf, "--nofork"])
        wait_for(lambda: os.path.exists(self.path("bus", "system")), what="dbus-daemon")

    def bus_has(self, name):
        r = subprocess.run(["busctl", "--address=unix:path=" + self.path("bus", "system"),
                            "status", name], capture_output=True, env=self.base_env(), timeout=10)
        return r.returncode == 0

    def init_host(self, tag):
        shutil.rmtree(self.path("sysroot"), ignore_errors=True)
        subprocess.run([PY, os.path.join(FAKES, "fake_rpmostreed.py"), "--init", self.host_state,
                        "--image", self.pinned(tag), "--sysroot", self.path("sysroot")], check=True)
        write(self.path("logind.json"), json.dumps({"can_reboot": "yes", "reboots": []}))

    @property
    def host_state(self):
        return self.path("rpmostree.json")

    def start_rpmostreed(self):
        self.kill("rpmostreed")
        self.spawn("rpmostreed", [PY, os.path.join(FAKES, "fake_rpmostreed.py"), "--state",
                                  self.host_state, "--faults", self.path("rpmostree-faults.json"),
                                  "--generation", self.generation])
        wait_for(lambda: self.bus_has("org.projectatomic.rpmostree1"), what="fake rpm-ostreed")

    def start_host_fakes(self):
        self.start_rpmostreed()
        self.spawn("logind", [PY, os.path.join(FAKES, "fake_logind.py"), "--state",
                              self.path("logind.json")])
        wait_for(lambda: self.bus_has("org.freedesktop.login1"), what="fake logind")

    def host(self):
        with open(self.host_state) as f:
            return json.load(f)

    def set_image_kargs(self, tag, files):
        """Image `tag` carries usr/lib/bootc/kargs.d `files` (name → TOML text) in the fake."""
        s = self.host()
        s.setdefault("image_kargs", {})[self.images[tag]] = files
        write(self.host_state, json.dumps(s, indent=1))

    def host_faults(self, faults):
        write(self.path("rpmostree-faults.json"), json.dumps(faults))

    def set_boot_id(self):
        self.boot += 1
        write(self.path("boot_id"), "%08x-0000-4000-8000-%012d\n" % (0xb007, self.boot))

    def reboot(self):
        """The node reboots: the finalized staged deployment becomes booted, a new boot id."""
        self.kill("rpmostreed")
        subprocess.run([PY, os.path.join(FAKES, "fake_rpmostreed.py"), "--reboot", self.host_state],
                       check=True, capture_output=True)
        self.set_boot_id()
        self.start_rpmostreed()

    def start_apiserver(self):
        pki = self.path("pki", "kube")
        if not os.path.exists(pki + "/ca.pem"):
            subprocess.run(["sh", os.path.join(FAKES, "make_test_pki.sh"), pki, NODE], check=True)
        if os.path.exists(self.path("apiserver.port")):
            os.unlink(self.path("apiserver.port"))
        pods = [
            self.pod("kube-system", "node-exporter-x1", {"app": "node-exporter"},
                     owner={"kind": "DaemonSet", "name": "node-exporter"}),
            self.pod("kube-system", "kube-apiserver-" + NODE, {"app": "static"},
                     annotations={"kubernetes.io/config.mirror": "abc"},
                     owner={"kind": "Node", "name": NODE}),
            self.pod("shop", "web-5d9c-abcde", {"app": "web"},
                     owner={"kind": "ReplicaSet", "name": "web-5d9c"}),
            self.pod("other", "elsewhere", {"app": "x"}, node="worker-1"),
        ]
        state = {"nodes": [self.node_object(self.ref("v2"))], "pods": pods,
                 "pdbs": [{"namespace": "shop", "name": "web", "matchLabels": {"app": "web"},
                           "disruptionsAllowed": 1}],
                 "endpoints": {"kubernetes": ["127.0.0.1"]}}
        write(self.path("apiserver-state.json"), json.dumps(state))
        self.token = "sim-bearer-" + hashlib.sha256(self.dir.encode()).hexdigest()[:32]
        write(self.path("tokens.json"), json.dumps(
            {self.token: {"user": "system:node:" + NODE, "groups": ["system:nodes"]}}))
        write(self.path("api-requests.log"), "")
        port_file = self.path("apiserver.port")
        self.spawn("apiserver", [PY, os.path.join(FAKES, "kube_apiserver"),
                                 "--cert", pki + "/server.pem", "--key", pki + "/server.key",
                                 "--client-ca", pki + "/ca.pem", "--state",
                                 self.path("apiserver-state.json"), "--log",
                                 self.path("api-requests.log"), "--port-file", port_file,
                                 "--tokens", self.path("tokens.json")])
        wait_for(lambda: os.path.exists(port_file), what="fake API server")
        with open(port_file) as f:
            self.api_port = int(f.read())
        with open(pki + "/node-%s.key" % NODE) as f:
            key_line = f.read().strip().splitlines()[1]
        self.secrets = [x for x in self.secrets if x != key_line] + [key_line, self.token]
        user = ({"token": self.token} if self.kube_auth == "token" else
                {"client-certificate": pki + "/node-%s.pem" % NODE,
                 "client-key": pki + "/node-%s.key" % NODE})
        kubeconfig = {"apiVersion": "v1", "kind": "Config", "current-context": "sim",
                      "clusters": [{"name": "sim", "cluster": {
                          "server": "https://127.0.0.1:%d" % self.api_port,
                          "certificate-authority": pki + "/ca.pem"}}],
                      "contexts": [{"name": "sim", "context": {"cluster": "sim",
                                                               "user": "node"}}],
                      "users": [{"name": "node", "user": user}]}
        write(self.path("etc", "kubeconfig"), json.dumps(kubeconfig, indent=1), 0o600)

    @staticmethod
    def pod(ns, name, labels, owner=None, annotations=None, node=NODE):
        meta = {"namespace": ns, "name": name, "labels": labels,
                "annotations": annotations or {}}
        if owner:
            meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner["kind"],
                                        "name": owner["name"], "uid": "u-" + owner["name"],
                                        "controller": True}]
        return {"metadata": meta, "spec": {"nodeName": node, "containers": [{"name": "c"}]},
                "x-fake": {"terminate_after_s": 0}}

    @staticmethod
    def rendered_config(ref):
        """The MachineConfig name the MCO would set with desiredImage `ref` (both together)."""
        return "rendered-worker-" + hashlib.sha256(ref.encode()).hexdigest()[:12]

    @staticmethod
    def node_object(desired):
        return {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": NODE, "labels": {"kubernetes.io/hostname": NODE},
                             "annotations": {ANN + "desiredImage": desired,
                                             ANN + "desiredConfig": Node.rendered_config(desired)}},
                "spec": {}, "status": {}}

    def api(self, method, path, body=None):
        ctx = ssl.create_default_context(cafile=self.path("pki", "kube", "ca.pem"))
        req = urllib.request.Request("https://127.0.0.1:%d%s" % (self.api_port, path),
                                     method=method, data=None if body is None else
                                     json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=ctx))
        with opener.open(req, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    def cluster_state(self):
        return self.api("GET", "/_fake/state")

    def node(self):
        return next(n for n in self.cluster_state()["nodes"] if n["metadata"]["name"] == NODE)

    def annotations(self):
        return self.node()["metadata"].get("annotations", {})

    def set_desired(self, ref):
        if self.source == "file":
            write(self.path("etc", "desired-image"), ref + "\n")
            return
        node = self.node()
        node["metadata"]["annotations"][ANN + "desiredImage"] = ref
        node["metadata"]["annotations"][ANN + "desiredConfig"] = self.rendered_config(ref)
        self.api("POST", "/_fake/nodes", node)

    def api_faults(self, faults):
        self.api("POST", "/_fake/faults", faults)

    def set_pdb(self, allowed):
        self.api("POST", "/_fake/pdbs", [{"namespace": "shop", "name": "web",
                                          "matchLabels": {"app": "web"},
                                          "disruptionsAllowed": allowed}])

    def api_log(self):
        if not self.cluster:
            return []
        with open(self.path("api-requests.log")) as f:
            return [json.loads(line) for line in f if line.strip()]

    # ---- the agent ----------------------------------------------------------------------------
    def write_config(self, **overrides):
        cfg = {"node_name": NODE, "source": self.source,
               "desired_file": self.path("etc", "desired-image"),
               "kubeconfig": self.path("etc", "kubeconfig" if self.cluster else "none"),
               "backend": "rpm-ostree",
               "auth_file": self.path("etc", "auth.json"),
               "policy_file": self.path("etc", "policy.json"),
               "registries_conf": self.path("etc", "registries.conf"),
               "registries_d": self.path("etc", "registries.d"),
               "certs_d": self.path("etc", "certs.d"), "state_dir": self.path("state"),
               "runtime_dir": self.path("run"), "architecture": "amd64",
               "sysroot": self.path("sysroot"),
               "drain": {"enabled": True, "timeout_s": 8, "eviction_retry_s": 1,
                         "grace_period_s": -1},
               "reboot": {"enabled": True}}
        cfg.update(self.config)
        cfg.update(overrides)
        self.config = {k: v for k, v in cfg.items() if k in overrides or k in self.config}
        if self.source == "file" and not os.path.exists(self.path("etc", "desired-image")):
            write(self.path("etc", "desired-image"), self.ref("v2") + "\n")
        write(self.path("etc", "config.json"), json.dumps(cfg, indent=1))

    def agent_env(self, failpoint=None, extra=None):
        env = self.base_env()
        env["IMAGESWITCH_LOG"] = "stderr"
        env["IMAGESWITCH_BOOT_ID_FILE"] = self.path("boot_id")
        env["IMAGESWITCH_HTTP_TIMEOUT_MS"] = "4000"
        if failpoint:
            env["IMAGESWITCH_FAILPOINT"] = failpoint
        env.update(extra or {})
        return env

    def run_agent(self, *args, failpoint=None, env=None, timeout=120):
        """One trigger: a fresh `imageswitch --config … ARGS` process. Returns (rc, out, err)."""
        argv = [self.binary, "--config", self.path("etc", "config.json")] + list(args or ["run"])
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           env=self.agent_env(failpoint, env))
        self.transcript = getattr(self, "transcript", "") + r.stdout + r.stderr
        return r.returncode, r.stdout, r.stderr

    def spawn_agent(self, *args, env=None):
        argv = [self.binary, "--config", self.path("etc", "config.json")] + list(args or ["run"])
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.agent_env(None, env))

    def state_file(self):
        return self.path("state", "state.json")

    def agent_files(self):
        """Everything the agent wrote: state_dir and runtime_dir."""
        out = {}
        for d in (self.path("state"), self.path("run")):
            for root, _, files in os.walk(d):
                for name in files:
                    p = os.path.join(root, name)
                    try:
                        with open(p, errors="replace") as f:
                            out[p] = f.read()
                    except OSError:
                        pass
        return out

    def reboot_requests(self):
        return self.host().get("reboot_requests", 0)
