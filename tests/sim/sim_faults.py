#!/usr/bin/python3
"""The fault matrix: for each fault, one trigger under the fault must give the contract's exit
code (75 temporary, 1 degraded, 2 usage; 0 when the agent absorbs it), a specific reason in the
journal (stderr) and, when degraded with the cluster reachable, in the reason annotation; the host
untouched where the step was not reached; and the next triggers, with the fault cleared, converge
to Done with exactly one reboot request."""
import base64
import json
import os
import shutil
import subprocess

from simtest import ANN, Skip, case, check, drive, assert_done, run

NODE_PATH = "^/api/v1/nodes/worker-0$"


def observed(name, rc, err):
    lines = [l for l in err.splitlines() if l.startswith("imageswitch: ")]
    bad = [l for l in lines if "Failed" in l or "Rejected" in l or "rolled" in l or
           "Ignoring" in l or "Warning" in l]
    line = (bad or lines or ["(no journal line)"])[-1][len("imageswitch: "):]
    cut = line.find(" (phase=")
    print("  RESULT %s: exit %d: %s" % (name, rc, line[:cut if cut > 0 else 300][:300]))


def fault(name, rc, reason, setup, clear=None, untouched="host", pre=None, env=None,
          annotation=True, tag="v2"):
    """Registers one fault case. untouched: "host" (nothing staged, no reboot), "reboot" (no
    reboot request), or None."""
    def fn(node):
        if pre:
            pre(node)
        staged_before = node.host().get("staged")
        setup(node)
        rc_, out, err = node.run_agent(env=env)
        observed(name, rc_, err)
        check(rc_ == rc, "exit %d, expected %d" % (rc_, rc), err)
        for needle in ([reason] if isinstance(reason, str) else reason):
            check(needle.lower() in err.lower(), "journal lacks %r" % needle, err)
        if untouched == "host":
            check(node.host().get("staged") == staged_before, "host staged something",
                  node.host().get("staged"))
        if untouched in ("host", "reboot"):
            check(node.reboot_requests() == 0, "reboot requested under the fault")
        if rc == 0:
            check(node.reboot_requests() == 1, "the absorbed fault did not let the pass finish")
        if node.reboot_requests():  # an absorbed fault: the pass went on to request the reboot
            node.reboot()
        if clear:
            clear(node)
        node.proxy.set_faults([])
        node.host_faults({})
        if node.cluster:
            node.api_faults([])
        if rc_ == 1 and annotation and node.cluster:
            ann = node.annotations()
            check(ann.get(ANN + "state") == "Degraded", "state annotation not Degraded", ann)
            first = reason if isinstance(reason, str) else reason[0]
            check(first.lower() in ann.get(ANN + "reason", "").lower(),
                  "reason annotation lacks %r" % first, ann)
        if rc_ == 75 and node.cluster:
            ann = node.annotations()
            check(ann.get(ANN + "state") != "Degraded", "temporary failure reported Degraded", ann)
        runs = drive(node)
        check(runs[-1][0] == 0, "no recovery after the fault cleared: exit %d" % runs[-1][0],
              runs[-1][2])
        assert_done(node, tag)
    fn.__name__ = name
    case()(fn)


def proxy(*faults):
    return lambda node: node.proxy.set_faults(list(faults))


def api(*faults):
    return lambda node: node.api_faults(list(faults))


def host(**faults):
    return lambda node: node.host_faults(faults)


def staged_without_reboot(node):
    node.write_config(reboot={"enabled": False})
    rc, _, err = node.run_agent()
    check(rc == 0 and node.host().get("staged"), "could not stage first", err)
    node.write_config(reboot={"enabled": True})


# ---- registry --------------------------------------------------------------------------------
TAG = "/manifests/v2$"
fault("registry_500_on_manifest", 75, "HTTP 500",
      proxy({"kind": "status", "status": 500, "path": TAG}))
fault("registry_503_on_manifest", 75, "HTTP 503",
      proxy({"kind": "status", "status": 503, "path": TAG}))
fault("registry_502_twice_absorbed", 0, "Rebooting",
      proxy({"kind": "status", "status": 502, "path": TAG, "count": 2}), untouched=None)
fault("registry_429_storm", 75, "HTTP 429",
      proxy({"kind": "status", "status": 429, "path": TAG}))
fault("registry_timeout", 75, "timed out",
      proxy({"kind": "stall", "seconds": 6, "path": TAG}))
# Accepts and never answers: the pass's time budget ends it (2 x IMAGESWITCH_HTTP_TIMEOUT_MS here,
# 90 s in production) with exit 75 and a journal line naming the registry.
fault("registry_never_answers", 75, ["time budget", "127.0.0.1:"],
      proxy({"kind": "stall", "seconds": 60, "path": TAG}))
fault("registry_connection_dropped", 75, "Failed to resolve",
      proxy({"kind": "drop", "path": TAG}))
fault("registry_truncated_manifest", 75, "Failed to resolve",
      proxy({"kind": "truncate", "path": TAG}))
fault("registry_wrong_digest_body", 1, "differs",
      proxy({"kind": "wrong_digest", "path": TAG}))
fault("registry_lying_digest_header", 1, "Docker-Content-Digest",
      proxy({"kind": "lying_header", "path": TAG}))
fault("registry_redirect_loop", 75, "redirect",
      proxy({"kind": "redirect_loop", "path": TAG}))
fault("registry_huge_manifest", 1, "bytes",
      proxy({"kind": "huge", "size": 8 << 20, "path": TAG}))
fault("registry_html_instead_of_manifest", 1, "Failed to parse manifest",
      proxy({"kind": "body", "type": "text/html", "body": "<html><body>Please log in</body></html>",
             "path": TAG}))
fault("registry_500_on_signature_manifest", 75, "HTTP 500",
      proxy({"kind": "status", "status": 500, "path": r"\.sig$"}))
# Network trouble while fetching a signature blob is temporary (75), never a rejection.
fault("registry_timeout_on_signature_blob", 75, ["Failed to fetch blob", "timed out"],
      proxy({"kind": "stall", "seconds": 6, "path": "/blobs/"}))
fault("registry_truncated_signature_blob", 75, ["Failed to fetch blob"],
      proxy({"kind": "truncate", "path": "/blobs/"}))
fault("registry_tampered_signature_blob", 1, ["no valid signature", "content digest differs"],
      proxy({"kind": "wrong_digest", "path": "/blobs/"}))
fault("registry_down", 75, "Failed to resolve",
      lambda node: node.proxy.set_faults([{"kind": "drop", "path": ""}]))
fault("registry_auth_required_no_credentials", 2, "authentication",
      lambda node: node.proxy.require_auth("sim", "sim-password-not-configured"),
      clear=lambda node: node.proxy.require_auth(None, None))


def wrong_password(node):
    node.set_registry_auth("sim", "right-password-4711")
    with open(node.path("etc", "auth.json"), "w") as f:
        json.dump({"auths": {node.host_port: {"auth": base64.b64encode(
            b"sim:wrong-password-0815").decode()}}}, f)


fault("registry_wrong_password", 1, "authentication", wrong_password,
      clear=lambda node: node.set_registry_auth("sim", "right-password-4711"))

# ---- image trust -----------------------------------------------------------------------------
fault("trust_unsigned_image", 1, ["no sigstore signatures found", "Rejected"],
      lambda node: node.set_desired(node.ref("unsigned")),
      clear=lambda node: node.set_desired(node.ref("v2")))
fault("trust_foreign_key_signature", 1, ["signature does not match", "Rejected"],
      lambda node: node.set_desired(node.ref("badsig")),
      clear=lambda node: node.set_desired(node.ref("v2")))
fault("trust_unknown_tag", 1, "not found",
      lambda node: node.set_desired(node.ref("v9")),
      clear=lambda node: node.set_desired(node.ref("v2")))


def no_attachments(node):
    with open(node.path("etc", "registries.d", "sim.yaml"), "w") as f:
        f.write("docker:\n  %s:\n    use-sigstore-attachments: false\n" % node.host_port)


fault("trust_sigstore_attachments_disabled", 1, "use-sigstore-attachments", no_attachments,
      clear=lambda node: node.write_trust_files())

# ---- Kubernetes API --------------------------------------------------------------------------
# 401 is temporary: the kubelet rotates its client certificate and the next pass reads the new one.
fault("api_401_reading_node", 75, ["401", "check the kubeconfig"],
      api({"method": "GET", "path": NODE_PATH, "status": 401, "count": -1}), annotation=False)
fault("api_403_reading_node", 1, "403",
      api({"method": "GET", "path": NODE_PATH, "status": 403, "count": -1}), annotation=False)
fault("api_500_reading_node", 75, "500",
      api({"method": "GET", "path": NODE_PATH, "status": 500, "count": -1}))
fault("api_429_reading_node", 75, "429",
      api({"method": "GET", "path": NODE_PATH, "status": 429, "count": -1}))
fault("api_timeout_reading_node", 75, "Failed to read the desired image",
      api({"method": "GET", "path": NODE_PATH, "status": 0, "delay_s": 6, "count": -1}))
fault("api_409_storm_on_node_patch", 75, "409",
      api({"method": "PATCH", "path": NODE_PATH, "status": 409, "count": -1}),
      untouched="reboot")
fault("api_409_three_times_absorbed", 0, "Rebooting",
      api({"method": "PATCH", "path": NODE_PATH, "status": 409, "count": 3}), untouched=None)
fault("api_500_listing_pods", 75, "500",
      api({"method": "GET", "path": "^/api/v1/pods$", "status": 500, "count": -1}),
      untouched="reboot")
fault("api_500_on_eviction", 75, "500",
      api({"method": "POST", "path": "/eviction$", "status": 500, "count": -1}),
      untouched="reboot")
fault("api_429_storm_on_eviction", 1, "timed out",
      api({"method": "POST", "path": "/eviction$", "status": 429, "count": -1}),
      untouched="reboot")
fault("api_403_on_eviction", 1, "403",
      api({"method": "POST", "path": "/eviction$", "status": 403, "count": -1}),
      untouched="reboot")
fault("api_500_on_events_absorbed", 0, "Rebooting",
      api({"method": "POST", "path": "/events$", "status": 500, "count": -1}), untouched=None)


def apiserver_down(node):
    node.kill("apiserver")


def apiserver_up(node):
    node.start_apiserver()
    node.write_config()


fault("api_server_down", 75, "Failed to read the desired image", apiserver_down,
      clear=apiserver_up, annotation=False)

# ---- D-Bus / rpm-ostreed ---------------------------------------------------------------------
fault("dbus_rpmostreed_missing", 75, "Failed to read the deployments",
      lambda node: node.kill("rpmostreed"), clear=lambda node: node.start_rpmostreed())
fault("dbus_daemon_missing", 75, "Failed to read the deployments", lambda node: None,
      env={"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/imageswitch-sim-bus"})
fault("dbus_transaction_finished_false", 75, "Failed to stage",
      host(fail="error: Importing: Unexpected end of stream"))
fault("dbus_daemon_crash_mid_transaction", 75, "Failed to stage",
      host(crash_before_finished=True), clear=lambda node: (node.host_faults({}),
                                                            node.start_rpmostreed()))
fault("dbus_transaction_in_progress", 75, "Transaction in progress",
      host(busy="rpm-ostree upgrade"))
fault("dbus_slow_transaction_absorbed", 0, "Rebooting", host(delay_s=1.5), untouched=None)
fault("dbus_finalize_fails", 75, "Failed to finalize",
      host(fail="error: Finalization failed: systemctl reboot refused"), untouched="reboot",
      pre=staged_without_reboot)


# ---- disk ------------------------------------------------------------------------------------
def file_in_the_way(node):
    shutil.rmtree(node.path("state"))
    with open(node.path("state"), "w") as f:
        f.write("not a directory\n")


def restore_state_dir(node):
    os.unlink(node.path("state"))
    os.makedirs(node.path("state"))


fault("disk_state_dir_is_a_file", 75, "state", file_in_the_way, clear=restore_state_dir,
      annotation=False)


def state_json_is_dir(node):
    os.makedirs(node.path("state", "state.json", "x"))


fault("disk_state_json_is_a_directory", 75, "state.json", state_json_is_dir,
      clear=lambda node: shutil.rmtree(node.path("state", "state.json")), annotation=False)


def runtime_dir_is_file(node):
    shutil.rmtree(node.path("run"))
    with open(node.path("run"), "w") as f:
        f.write("x")


def restore_runtime_dir(node):
    os.unlink(node.path("run"))
    os.makedirs(node.path("run"))


fault("disk_runtime_dir_is_a_file", 75, "lock", runtime_dir_is_file,
      clear=restore_runtime_dir, annotation=False)


def mount(*args):
    return subprocess.run(["mount"] + list(args), capture_output=True).returncode == 0


def umount(path):
    subprocess.run(["umount", "-l", path], capture_output=True)


def can_mount(node):
    probe = node.path("mount-probe")
    os.makedirs(probe, exist_ok=True)
    ok = mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", probe)
    if ok:
        umount(probe)
    return ok


@case()
def disk_state_dir_read_only(node):
    if not can_mount(node):
        raise Skip("mount is not permitted here (needs root with CAP_SYS_ADMIN)")
    d = node.path("state")
    check(mount("--bind", d, d) and mount("-o", "remount,bind,ro", d), "read-only bind mount")
    try:
        rc, _, err = node.run_agent()
        observed("disk_state_dir_read_only", rc, err)
        check(rc == 75, "exit %d" % rc, err)
        check("read-only" in err.lower() or "state" in err.lower(), "no reason", err)
        check(node.host().get("staged") is None and node.reboot_requests() == 0, "host touched")
    finally:
        umount(d)
    drive(node)
    assert_done(node, "v2")


@case()
def disk_full(node):
    if not can_mount(node):
        raise Skip("mount is not permitted here (needs root with CAP_SYS_ADMIN)")
    d = node.path("state")
    check(mount("-t", "tmpfs", "-o", "size=8k,mode=0700", "tmpfs", d), "tmpfs mount")
    try:
        with open(os.path.join(d, "filler"), "wb") as f:
            try:
                f.write(b"x" * 65536)
            except OSError:
                pass
        rc, _, err = node.run_agent()
        observed("disk_full", rc, err)
        check(rc == 75, "exit %d" % rc, err)
        check("space" in err.lower() or "state" in err.lower(), "no reason", err)
        check(node.host().get("staged") is None and node.reboot_requests() == 0, "host touched")
    finally:
        umount(d)
    drive(node)
    assert_done(node, "v2")


# ---- configuration (usage errors, exit 2) ----------------------------------------------------
def breaks(path_parts, text):
    def setup(node):
        with open(node.path(*path_parts), "w") as f:
            f.write(text)
    return setup


def restore_config(node):
    node.write_config()


def restore_trust(node):
    node.write_trust_files()


fault("config_unknown_key", 2, "unknown key 'drian'",
      lambda node: node.write_config(drian={"enabled": True}),
      clear=lambda node: (node.config.pop("drian", None), node.write_config()), annotation=False)
# A policy.json that does not parse is a configuration error (exit 2), not a rejected image.
fault("config_policy_not_json", 2, "Failed to parse policy",
      breaks(("etc", "policy.json"), "{not json"), clear=restore_trust, annotation=False)
fault("config_registries_conf_invalid", 2, "registries.conf",
      breaks(("etc", "registries.conf"), "[[registry]\nlocation = \n"), clear=restore_trust,
      annotation=False)
fault("config_auth_file_invalid", 2, "auth", breaks(("etc", "auth.json"), "{\"auths\": 7}"),
      clear=restore_trust, annotation=False)


def kubeconfig_garbage(node):
    os.rename(node.path("etc", "kubeconfig"), node.path("etc", "kubeconfig.good"))
    with open(node.path("etc", "kubeconfig"), "w") as f:
        f.write("apiVersion: v1\nclusters: 7\n")


fault("config_kubeconfig_invalid", 2, "kubeconfig", kubeconfig_garbage,
      clear=lambda node: os.rename(node.path("etc", "kubeconfig.good"),
                                   node.path("etc", "kubeconfig")), annotation=False)


if __name__ == "__main__":
    run()
