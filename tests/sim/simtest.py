"""The runner shared by the sim test files: one simulated node per file, reset before each case,
every case counted; the last line is "N passed, N failed" (read by tests/tools/summarize.py).

Usage: <file>.py BUILD/src/imageswitch [CASE-SUBSTRING...]
"""
import json
import os
import sys
import time
import traceback

from simnode import ANN, FAKES, Node

sys.path.insert(0, FAKES)
sys.dont_write_bytecode = True
from kube_apiserver.mco import is_node_done  # noqa: E402

CASES = []


def case(name=None, **reset):
    """Registers a test case; `reset` is passed to Node.reset (source, cluster, kube_auth)."""
    def register(fn):
        CASES.append((name or fn.__name__, fn, reset))
        return fn
    return register


class Failure(AssertionError):
    pass


class Skip(Exception):
    """Raised by a case that cannot run here (e.g. mount not permitted); not counted."""


def check(cond, what, *context):
    if not cond:
        raise Failure(what + "".join("\n    " + str(c)[:2000] for c in context))


def state(node):
    try:
        with open(node.state_file()) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def status(node):
    try:
        with open(node.path("run", "status.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def drive(node, max_runs=10, env=None, stop_at_done=True):
    """Triggers `run` like the timer would, rebooting whenever a reboot was requested, until the
    pass reports Done (state phase done and exit 0). Returns the list of (rc, out, err)."""
    runs = []
    for _ in range(max_runs):
        before = node.reboot_requests()
        rc, out, err = node.run_agent(env=env)
        runs.append((rc, out, err))
        if node.reboot_requests() > before:
            node.reboot()
            continue
        if stop_at_done and rc == 0 and state(node).get("phase") == "done":
            return runs
    return runs


def assert_done(node, tag, reboots=1, cordon=True):
    """The node converged on `tag`: booted, annotations Done + pinned digest, one reboot."""
    host = node.host()
    check(host["booted"]["container-image-reference-digest"] == node.images[tag],
          "booted is not " + tag, host["booted"])
    check(host.get("staged") is None, "something is still staged", host.get("staged"))
    check(node.reboot_requests() == reboots, "expected %d reboot request(s), saw %d"
          % (reboots, node.reboot_requests()))
    check(state(node).get("phase") == "done", "state phase is not done", state(node))
    if node.cluster and node.source == "annotation":
        ann = node.annotations()
        check(ann.get(ANN + "state") == "Done", "state annotation is not Done", ann)
        # The MCO's own test (layered_node_state.go isNodeDone): exact strings, state Done.
        check(is_node_done(node.node()), "the MCO would not count the node as done", ann)
        check(ann.get(ANN + "currentImage") == ann.get(ANN + "desiredImage"),
              "currentImage is not the desiredImage string", ann)
        check(ann.get("imageswitch.io/phase") == "done", "phase annotation is not done", ann)
        if cordon:
            check(not node.node()["spec"].get("unschedulable"), "node left cordoned", node.node())


def journal_has(text, needle):
    return needle.lower() in text.lower()


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/src/imageswitch"
    wanted = sys.argv[2:]
    unmatched = [w for w in wanted if not any(w in name for name, _, _ in CASES)]
    if unmatched:  # a typo in a filter must not look like a green run of nothing
        print("no case matches %s (cases: %s)" % (", ".join(map(repr, unmatched)),
                                                 ", ".join(name for name, _, _ in CASES)))
        print("0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    started = time.time()
    with Node(binary) as node:
        for name, fn, reset in CASES:
            if wanted and not any(w in name for w in wanted):
                continue
            t0 = time.time()
            try:
                node.reset(**reset)
                fn(node)
                passed += 1
                print("ok   %-44s %5.1fs" % (name, time.time() - t0), flush=True)
            except Skip as e:
                skipped += 1
                print("skip %-44s %s" % (name, e), flush=True)
            except Exception as e:  # one failing case must not stop the others
                failed += 1
                print("FAIL %-44s %5.1fs" % (name, time.time() - t0), flush=True)
                if isinstance(e, Failure):
                    print("  " + str(e))
                else:
                    traceback.print_exc(file=sys.stdout)
                print("  --- agent transcript (last 3000 chars) ---")
                print("  " + getattr(node, "transcript", "")[-3000:].replace("\n", "\n  "))
    print("# %.1fs" % (time.time() - started))
    print("%d passed, %d failed" % (passed, failed) + (", %d skipped" % skipped if skipped else ""))
    return 1 if failed else 0


def run():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
