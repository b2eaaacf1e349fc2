#!/usr/bin/python3
"""Whole-node scenarios: updates across reboots as systemd triggers them (see simnode.py)."""
import json
import time

from simtest import ANN, case, check, drive, assert_done, journal_has, run, state, status


def pods(node):
    return {p["metadata"]["name"]: p for p in node.cluster_state()["pods"]}


@case()
def first_update_through_annotation(node):
    rc, out, err = node.run_agent()
    check(rc == 0, "first pass exit %d" % rc, err)
    check(node.reboot_requests() == 1, "no reboot requested", node.host())
    check(journal_has(err, "Verified") and journal_has(err, "Rebooting"), "journal lines", err)
    ann = node.annotations()
    check(ann.get(ANN + "state") == "Working", "state annotation while rebooting", ann)
    check(node.node()["spec"].get("unschedulable") is True, "node not cordoned", node.node())
    time.sleep(0.5)
    left = pods(node)
    check("web-5d9c-abcde" not in left or left["web-5d9c-abcde"]["metadata"].get(
        "deletionTimestamp"), "Deployment pod not evicted", left.keys())
    for kept in ("node-exporter-x1", "kube-apiserver-worker-0", "elsewhere"):
        check(kept in left and not left[kept]["metadata"].get("deletionTimestamp"),
              kept + " was evicted", left.get(kept))
    node.reboot()
    rc, out, err = node.run_agent()
    check(rc == 0, "confirm pass exit %d" % rc, err)
    check(journal_has(err, "Running the desired image"), "no UpdateDone line", err)
    assert_done(node, "v2")
    for _ in range(3):
        rc, _, err = node.run_agent()
        check(rc == 0, "steady pass exit %d" % rc, err)
    check(node.reboot_requests() == 1, "a steady pass requested a reboot")
    bad = [r for r in node.api_log() if r["status"] in (401, 403)]
    check(not bad, "requests refused by the API server", bad)
    evicted = [r for r in node.api_log() if r["path"].endswith("/eviction")]
    check(len(evicted) >= 1 and all("/shop/" in r["path"] for r in evicted),
          "evictions other than the Deployment pod", evicted)
    events = node.cluster_state()["events"]
    check(events, "no Event recorded")
    rc, out, _ = node.run_agent("status", "--json")
    check(rc == 0 and json.loads(out)["state"] == "Done", "status --json", out)


@case(source="file", cluster=False)
def update_from_file_without_cluster(node):
    node.set_desired(node.ref("v2"))
    before = len(node.api_log())
    runs = drive(node)
    check(all(rc == 0 for rc, _, _ in runs), "exit codes", [r[0] for r in runs])
    assert_done(node, "v2")
    check(len(node.api_log()) == before, "the agent talked to the API server without a cluster")


@case()
def desired_changes_while_staged(node):
    node.write_config(reboot={"enabled": False})
    rc, out, err = node.run_agent()
    check(rc == 0, "staging pass exit %d" % rc, err)
    host = node.host()
    check(host["staged"] and host["staged"]["container-image-reference-digest"] == node.images["v2"],
          "v2 not staged", host)
    check(node.reboot_requests() == 0, "reboot requested while disabled")
    check("reboot pending" in status(node).get("next", ""), "status next", status(node))
    node.set_desired(node.ref("v3"))
    rc, out, err = node.run_agent()
    check(rc == 0, "restaging pass exit %d" % rc, err)
    host = node.host()
    check(host["staged"]["container-image-reference-digest"] == node.images["v3"],
          "v3 did not replace v2", host)
    check(node.reboot_requests() == 0, "reboot requested while disabled")
    node.write_config(reboot={"enabled": True})
    drive(node)
    assert_done(node, "v3")


@case()
def desired_changes_while_draining(node):
    node.set_pdb(0)
    node.write_config(drain={"enabled": True, "timeout_s": 2, "eviction_retry_s": 1,
                             "grace_period_s": -1})
    rc, out, err = node.run_agent()
    check(rc == 1, "blocked drain exit %d" % rc, err)
    check(journal_has(err, "blocked by PodDisruptionBudget 'web'"), "no PDB in the journal", err)
    ann = node.annotations()
    check(ann.get(ANN + "state") == "Degraded" and "PodDisruptionBudget" in ann.get(
        ANN + "reason", ""), "annotations while blocked", ann)
    check(node.node()["spec"].get("unschedulable") is True, "node not cordoned while draining")
    check(node.reboot_requests() == 0, "rebooted with a blocked drain")
    check(state(node).get("phase") == "draining", "phase", state(node))
    node.set_desired(node.ref("v3"))
    rc, out, err = node.run_agent()
    check(rc == 1, "still blocked exit %d" % rc, err)
    host = node.host()
    check(host["staged"]["container-image-reference-digest"] == node.images["v3"],
          "v3 not staged after the change", host)
    check(node.reboot_requests() == 0, "rebooted with a blocked drain")
    node.set_pdb(1)
    drive(node)
    assert_done(node, "v3")


def boot_old_deployment(node):
    """A rollback: the node restarts into the old deployment (greenboot, or a manual pick)."""
    node.kill("rpmostreed")
    h = node.host()
    h["staged"] = None
    h["boots"] = h.get("boots", 0) + 1
    with open(node.host_state, "w") as f:
        json.dump(h, f)
    node.set_boot_id()
    node.start_rpmostreed()


@case()
def rollback_after_reboot_is_degraded(node):
    rc, _, err = node.run_agent()
    check(rc == 0 and node.reboot_requests() == 1, "first pass", err)
    boot_old_deployment(node)
    rc, _, err = node.run_agent()
    check(rc == 1, "rolled back pass exit %d" % rc, err)
    check(journal_has(err, "rolled back"), "no rollback line", err)
    ann = node.annotations()
    check(ann.get(ANN + "state") == "Degraded" and "rolled back" in ann.get(ANN + "reason", ""),
          "annotations after rollback", ann)
    for _ in range(3):
        rc, _, err = node.run_agent()
        check(rc == 1, "degraded pass exit %d" % rc, err)
    check(node.reboot_requests() == 1, "a second reboot was requested")
    check(node.host().get("staged") is None, "restaged after a rollback", node.host())
    node.set_desired(node.ref("v3"))
    drive(node)
    assert_done(node, "v3", reboots=2)


@case()
def reboot_that_never_happens_ends_degraded(node):
    """logind/rpm-ostree accepted the reboot but the node never went down: the request is repeated
    a bounded number of times from the same boot, then Degraded with a clear reason."""
    rc, _, err = node.run_agent()
    check(rc == 0 and node.reboot_requests() == 1, "first pass", err)
    codes = []
    for _ in range(5):
        rc, _, err = node.run_agent()
        codes.append(rc)
        if rc == 1:
            break
    check(codes[-1] == 1, "never degraded: exit codes %s" % codes, err)
    # Each retry asks again (FinalizeDeployment with allow-unlocked: the first call unlocked it),
    # up to the plan's bound of 3 requests from one boot; then Degraded.
    check(codes == [0, 0, 1], "exit codes %s" % codes)
    check(node.reboot_requests() == 3, "reboot requests: %d" % node.reboot_requests())
    ann = node.annotations()
    check(ann.get(ANN + "state") == "Degraded" and "did not restart" in ann.get(ANN + "reason", ""),
          "annotations", ann)
    node.reboot()
    runs = drive(node)
    check(runs[-1][0] == 0, "no recovery after the late reboot", runs[-1][2])
    assert_done(node, "v2", reboots=3)


@case(source="file", cluster=False)
def noop_tick_makes_no_request(node):
    node.set_desired(node.pinned("v1"))
    rc, _, err = node.run_agent()
    check(rc == 0, "first pass exit %d" % rc, err)
    before = node.proxy.count()
    with open(node.path("logs", "registry.log")) as f:
        reg_before = len(f.read())
    rc, out, err = node.run_agent()
    check(rc == 0, "no-op exit %d" % rc, err)
    check(node.proxy.count() == before, "registry requests on a no-op tick",
          node.proxy.requests[before:])
    with open(node.path("logs", "registry.log")) as f:
        check(len(f.read()) == reg_before, "the registry logged a request")
    check(node.reboot_requests() == 0 and node.host().get("staged") is None, "host touched")


@case()
def noop_tick_with_annotation_only_reads_the_node(node):
    node.set_desired(node.pinned("v1"))
    rc, _, err = node.run_agent()
    check(rc == 0, "first pass exit %d" % rc, err)
    check(node.annotations().get(ANN + "state") == "Done", "Done not reported")
    before, api_before = node.proxy.count(), len(node.api_log())
    rc, _, err = node.run_agent()
    check(rc == 0, "no-op exit %d" % rc, err)
    check(node.proxy.count() == before, "registry requests on a no-op tick")
    new = node.api_log()[api_before:]
    check([(r["method"], r["path"]) for r in new] ==
          [("GET", "/api/v1/nodes/worker-0?resourceVersion=0")],
          "API requests beyond reading the Node's metadata from the cache", new)
    check("as=PartialObjectMetadata" in new[0]["accept"], "the idle GET asks for the full Node",
          new[0])


@case()
def two_triggers_at_once(node):
    node.proxy.set_faults([{"kind": "stall", "path": "/manifests/v2", "seconds": 2.5,
                            "count": 1}])
    seen = node.proxy.count()
    first = node.spawn_agent()
    # Wait until the first pass holds the lock and is stalled in the registry.
    end = time.time() + 30
    while time.time() < end and not any("/manifests/v2" in p
                                        for _, p in node.proxy.requests[seen:]):
        time.sleep(0.05)
    check(time.time() < end, "the first pass never reached the registry")
    rc, out, err = node.run_agent()
    check(rc == 0, "second trigger exit %d" % rc, err)
    check(journal_has(out + err, "Another imageswitch run is active"),
          "second trigger did not say another run is active", out, err)
    check(first.poll() is None and node.reboot_requests() == 0 and not node.host()["staged"],
          "the second trigger did not leave the work to the first")
    out1, err1 = first.communicate(timeout=120)
    check(first.returncode == 0, "first trigger exit %d" % first.returncode, err1)
    check(node.reboot_requests() == 1, "reboots: %d" % node.reboot_requests())


if __name__ == "__main__":
    run()
