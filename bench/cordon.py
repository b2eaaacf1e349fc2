"""Cordon window in a small node simulation: one `imageswitch run` that updates the node from its
booted image to the annotated desired image while the fake rpm-ostreed makes the image pull slow
(fault "pull_delay_s": like "delay_s", but only for transactions that pull an image, so
FinalizeDeployment stays as fast as the real one), then an instant simulated reboot and the
confirming `run`.

The window is read from the fake API server's request log ("ts" of each request; requests that
answer a Node carry "unschedulable"):
  cordon     first request whose answer has unschedulable=true (the cordon PATCH)
  reboot     "ts" of FinalizeDeployment in the fake rpm-ostreed's call list (the reboot request)
  uncordon   first request after the cordon whose answer has unschedulable=false (next boot)
The pull (Rebase/UpdateDeployment → transaction Finished) must happen before the cordon, so the
window must not grow with the pull time."""

import json
import os
import subprocess
import time

from benchlib import PY, FAKES, node, trust_config, write, write_config, read_json_lines

DESIRED_ANNOTATION = "machineconfiguration.openshift.io/desiredImage"


def one_update(servers, binary, fx, pull_s, tag):
    """Runs one update with a pull of pull_s seconds; returns the measured times (s)."""
    host = fx["registries"]["plain"]["host"]
    imgs = fx["images"]
    booted = "%s/os/unsigned@%s" % (host, imgs["unsigned"]["digest"])
    desired = imgs["mirrored"]["ref"]  # a tag: resolve + verify (sigstore) + stage
    hd, bus_env = servers.host_fakes("cordon-host-" + tag, booted, faults={"pull_delay_s": pull_s})
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"namespace": "apps", "name": "web-1", "labels": {"app": "web"},
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                             "name": "web", "uid": "u1", "controller": True}]},
           "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "x"}]},
           "status": {"phase": "Running"}}
    ad, kubeconfig, api_log = servers.apiserver(
        "cordon-api-" + tag, {"nodes": [node("n1", {DESIRED_ANNOTATION: desired})],
                              "pods": [pod], "endpoints": {"kubernetes": ["10.0.0.1", "10.0.0.2"]}})
    d = os.path.join(servers.workdir, "cordon-cfg-" + tag)
    keys = trust_config(d, host, "sigstore", fx["keys"]["ec"])
    keys.update({"source": "annotation", "kubeconfig": kubeconfig,
                 "drain": {"enabled": True, "timeout_s": 120, "eviction_retry_s": 1,
                           "grace_period_s": -1}})
    cfg = write_config(d, keys)
    env = dict(os.environ, **bus_env)
    t0 = time.time()
    first = subprocess.run([binary, "--config", cfg, "run"], env=env, capture_output=True,
                           text=True, timeout=pull_s + 120)
    t1 = time.time()
    write(os.path.join(d, "run1.log"), first.stderr)
    state_file = os.path.join(hd, "rpmostreed-state.json")
    subprocess.run([PY, os.path.join(FAKES, "fake_rpmostreed.py"), "--reboot", state_file],
                   check=True, capture_output=True, timeout=30)
    second = subprocess.run([binary, "--config", cfg, "run"], env=env, capture_output=True,
                            text=True, timeout=120)
    write(os.path.join(d, "run2.log"), second.stderr)
    with open(state_file) as f:
        calls = json.load(f)["calls"]
    return measure(read_json_lines(api_log), calls, t0, t1, first.returncode, second.returncode)


def measure(api, calls, t0, t1, rc1, rc2):
    def first(entries, pred):
        return next((e["ts"] for e in entries if pred(e)), None)

    stage = first(calls, lambda c: c["method"] in ("Rebase", "UpdateDeployment"))
    finalize = first(calls, lambda c: c["method"] == "FinalizeDeployment")
    cordon = first(api, lambda e: e.get("unschedulable") is True)
    uncordon = None
    if cordon is not None:
        uncordon = first(api, lambda e: e["ts"] > cordon and e.get("unschedulable") is False)
    out = {"rc_run": rc1, "rc_confirm": rc2, "pass_s": t1 - t0, "stage_call": stage,
           "cordon": cordon, "finalize": finalize, "uncordon": uncordon}
    if stage is not None and cordon is not None:
        out["stage_to_cordon_s"] = cordon - stage
    if cordon is not None and finalize is not None:
        out["cordon_to_reboot_s"] = finalize - cordon
    if cordon is not None and uncordon is not None:
        out["cordon_to_uncordon_s"] = uncordon - cordon
    return out
