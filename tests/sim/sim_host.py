#!/usr/bin/python3
"""The whole update against both rpm-ostreed generations (pre-2025.7: FinalizeDeployment wants
the base commit; 2025.7+: the image digest), with and without kernel arguments in the image's
usr/lib/bootc/kargs.d, plus a bad kargs.d file (Degraded, host untouched)."""
import json

from simnode import write
from simtest import ANN, case, check, drive, assert_done, journal_has, run, state, status

BOOTED_KARGS = {"10-base.toml": 'kargs = ["audit=0", "keep=1"]\n'}
IMAGE_KARGS = {"10-base.toml": 'kargs = ["keep=1", "nosmt"]\n',
               "20-s390x.toml": 'kargs = ["zonly"]\nmatch-architectures = ["s390x"]\n'}


def calls(node, method):
    return [c["args"] for c in node.host()["calls"] if c["method"] == method]


def give_kargs(node, booted_files, image_files, cmdline_extra):
    """v1 (booted) and v2 carry kargs.d files; the booted command line holds v1's arguments."""
    node.set_image_kargs("v1", booted_files)
    node.set_image_kargs("v2", image_files)
    s = node.host()
    s["booted"]["kargs"] += cmdline_extra
    write(node.host_state, json.dumps(s, indent=1))
    node.start_rpmostreed()  # writes the booted deployment's files


def update(node, with_kargs):
    if with_kargs:
        give_kargs(node, BOOTED_KARGS, IMAGE_KARGS, " audit=0 keep=1 admin=1")
    rc, _, err = node.run_agent()
    check(rc == 0 and node.reboot_requests() == 1, "first pass exit %d" % rc, err)
    staged_kargs = status(node).get("staged_kernel_args")
    node.reboot()
    runs = drive(node)
    check(all(r[0] == 0 for r in runs), "exit codes", [r[0] for r in runs], runs[-1][2])
    assert_done(node, "v2")
    finalize = [a["options"]["checksum"] for a in calls(node, "FinalizeDeployment")]
    check(finalize[0] == node.images["v2"], "the first finalize did not send the digest", finalize)
    check(len(finalize) == (2 if node.generation == "pre-2025.7" else 1),
          "finalize calls for %s" % node.generation, finalize)
    for a in calls(node, "FinalizeDeployment"):
        check("allow-missing-checksum" not in a["options"], "allow-missing-checksum sent", a)
    booted = node.host()["booted"]["kargs"].split()
    if with_kargs:
        check(len(calls(node, "KernelArgs")) == 1, "KernelArgs calls", calls(node, "KernelArgs"))
        check("nosmt" in booted and "audit=0" not in booted and "zonly" not in booted
              and "keep=1" in booted and "admin=1" in booted, "booted kernel arguments", booted)
        check(staged_kargs == "+nosmt -audit=0", "status staged_kernel_args", staged_kargs)
        check(journal_has(node.transcript, "Applied the kernel arguments"), "no kargs journal line",
              node.transcript[-3000:])
    else:
        check(not calls(node, "KernelArgs"), "KernelArgs called without kargs.d")
        check(not staged_kargs, "status shows kernel arguments", staged_kargs)


def make_cases():
    for generation in ("pre-2025.7", "2025.7"):
        for with_kargs in (False, True):
            def fn(node, with_kargs=with_kargs):
                update(node, with_kargs)
            fn.__name__ = "update_%s%s" % (generation.replace("-", "_").replace(".", "_"),
                                          "_kargs" if with_kargs else "")
            case(generation=generation)(fn)


make_cases()


@case(generation="pre-2025.7")
def refused_finalize_is_degraded_not_a_reboot_loop(node):
    node.write_config(reboot={"enabled": False})
    rc, _, err = node.run_agent()
    check(rc == 0 and node.host().get("staged"), "staging pass exit %d" % rc, err)
    # Someone layered a package onto our staged deployment: its base commit is not ours, and an
    # older daemon names that commit. Not our deployment any more: a refusal, not a retry.
    s = node.host()
    s["staged"]["base-checksum"] = "f" * 64
    write(node.host_state, json.dumps(s, indent=1))
    node.write_config(reboot={"enabled": True})
    for _ in range(2):
        rc, _, err = node.run_agent()
        check(rc == 1, "exit %d after a refused finalize" % rc, err)
        check(node.reboot_requests() == 0, "a reboot was requested")
        reason = node.annotations().get(ANN + "reason", "")
        check("Expected staged base checksum" in reason and "reboot requested" not in reason,
              "Degraded reason", reason)
        check(state(node).get("reboot_attempts", 0) == 0, "counted as a reboot attempt",
              state(node))
    check(len(calls(node, "FinalizeDeployment")) == 1, "finalize retried",
          calls(node, "FinalizeDeployment"))


@case()
def bad_kargs_file_is_degraded_and_unstages(node):
    give_kargs(node, {}, {"10-bad.toml": "kargs = [\n"}, "")
    rc, _, err = node.run_agent()
    check(rc == 1, "exit %d with a bad kargs.d" % rc, err)
    check("10-bad.toml" in state(node).get("last_error", ""), "file not named", state(node))
    check(node.host().get("staged") is None and node.reboot_requests() == 0, "host touched",
          node.host())
    check(node.annotations().get(ANN + "state") == "Degraded", "annotation", node.annotations())
    rc, _, _ = node.run_agent()
    check(rc == 1 and node.host().get("staged") is None, "staged again on the next pass")


if __name__ == "__main__":
    run()
