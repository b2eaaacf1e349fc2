#!/usr/bin/python3
"""Walks an admin through one update on a simulated node (see simnode.py): what the journal
says at each trigger, what `imageswitch status` shows in between, what the Node looks like."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simnode import ANN, Node  # noqa: E402

EXIT = {0: "converged or progressing", 1: "degraded", 2: "usage error", 75: "temporary failure"}


def title(text):
    print("\n\033[1m==> %s\033[0m" % text if sys.stdout.isatty() else "\n==> %s" % text,
          flush=True)


def trigger(node, why):
    title("%s: systemd starts imageswitch.service (imageswitch run)" % why)
    rc, _, err = node.run_agent()
    for line in err.splitlines():
        if "Importing layers" in line and not line.endswith("100%"):
            continue
        cut = line.find(" (phase=")
        print("  journal: " + (line[:cut] if cut > 0 else line))
    print("  exit status %d (%s)" % (rc, EXIT.get(rc, "?")))
    return rc


def show_status(node):
    print("  $ imageswitch status")
    _, out, _ = node.run_agent("status")
    for line in out.splitlines():
        print("    " + line)


def show_node(node):
    n = node.node()
    ann = n["metadata"].get("annotations", {})
    print("  Node %s: %s" % (n["metadata"]["name"],
                             "cordoned (SchedulingDisabled)" if n["spec"].get("unschedulable")
                             else "schedulable"))
    for key in ("desiredImage", "currentImage", "state", "reason"):
        if ANN + key in ann:
            print("    %s%s=%s" % (ANN, key, ann[ANN + key]))
    pods = node.cluster_state()["pods"]
    print("  pods on the node: " + ", ".join(
        "%s/%s" % (p["metadata"]["namespace"], p["metadata"]["name"]) for p in pods
        if p["spec"].get("nodeName") == n["metadata"]["name"]))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/src/imageswitch"
    started = time.time()
    title("Starting the simulated node (private D-Bus with fake rpm-ostreed and logind, "
          "docker-registry with signed images, fake API server)")
    with Node(binary) as node:
        node.reset()
        print("  registry:    %s (images v1, v2, v3 signed with %s)" %
              (node.host_port, node.path("pki", "cosign.pub")))
        print("  API server:  https://127.0.0.1:%d (kubeconfig with system:node:worker-0)" %
              node.api_port)
        print("  config:      %s" % node.path("etc", "config.json"))
        print("  booted:      %s" % node.pinned("v1"))
        show_node(node)

        trigger(node, "Trigger 1")
        show_status(node)
        show_node(node)

        title("The node reboots into the staged deployment (rpm-ostree finalizes it)")
        node.reboot()
        print("  booted:      %s" % node.host()["booted"]["container-image-reference"])

        trigger(node, "Trigger 2 (after the boot)")
        show_status(node)
        show_node(node)

        before = node.proxy.count()
        trigger(node, "Trigger 3 (the timer again: nothing to do)")
        print("  registry requests during that pass: %d (a tag is resolved again; a desired "
              "image pinned by digest costs none)" % (node.proxy.count() - before))

        title("The cluster asks for an unsigned image")
        node.set_desired(node.ref("unsigned"))
        trigger(node, "Trigger 4")
        show_status(node)
        show_node(node)
        print("\n  (journalctl -x -u imageswitch explains each message through the catalog)")
        title("Tearing the simulated node down")
    print("  done in %.0f s" % (time.time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
