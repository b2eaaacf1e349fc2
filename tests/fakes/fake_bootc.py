#!/usr/bin/python3
"""Fake `bootc` executable for the bootc backend (output valid against bootc-host-v1.schema.json).

State file: the first of `--state FILE` (before the subcommand), $FAKE_BOOTC_STATE, or
`bootc-state.json` beside the path this was invoked as (so a symlink named `bootc` in a temp dir
works under bootc's clean environment). Contents:
  {"booted": {"image": "repo@sha256:…", "digest": "sha256:…", "checksum": "…"},
   "staged": null | {same}, "calls": [["switch", "repo@sha256:…"], …],
   "env": {the environment of the last invocation},
   "faults": {"fail": "message",       # every mutating/status command fails: stderr, exit 1
              "status_fail": "message", # only `status` fails
              "sleep_s": 5,             # sleep before doing anything (timeout tests)
              "stderr_bytes": 4000,     # write this much filler to stderr before failing
              "not_bootc": true}}       # status.booted is null (host not bootc-compatible)
Commands:
  bootc status --format=json | --json     prints the BootcHost
  bootc switch [--apply] [--retain] IMAGE stages IMAGE (must be digest-pinned in this fake)
  fake_bootc.py --reboot STATEFILE        simulates a reboot: staged → booted (bootc finalizes a
                                          staged deployment at any shutdown)
"""

import hashlib
import json
import os
import sys
import time

from fakelib import load_json, save_json


def state_path(args):
    if len(args) >= 2 and args[0] == "--state":
        return args[1], args[2:]
    env = os.environ.get("FAKE_BOOTC_STATE")
    if env:
        return env, args
    return os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "bootc-state.json"), args


def deployment(image):
    return {"image": image, "digest": image[image.rfind("@") + 1:],
            "checksum": hashlib.sha256(image.encode()).hexdigest()}


def entry(d, serial):
    if d is None:
        return None
    return {
        "image": {
            "image": {"image": d["image"], "transport": "registry", "signature": None},
            "version": "9.6.20261126-0",
            "timestamp": "2026-11-26T00:00:00Z",
            "imageDigest": d["digest"],
            "architecture": "amd64",
        },
        "cachedUpdate": None,
        "incompatible": False,
        "pinned": False,
        "softRebootCapable": False,
        "downloadOnly": False,
        "store": "ostreeContainer",
        "ostree": {"checksum": d["checksum"], "deploySerial": serial, "stateroot": "default"},
    }


def host(s):
    faults = s.get("faults", {})
    booted = None if faults.get("not_bootc") else s.get("booted")
    spec_image = (s.get("staged") or booted or {}).get("image")
    return {
        "apiVersion": "org.containers.bootc/v1",
        "kind": "BootcHost",
        "metadata": {"name": "host"},
        "spec": {"bootOrder": "default",
                 "image": {"image": spec_image, "transport": "registry"} if spec_image else None},
        "status": {
            "staged": entry(s.get("staged"), 1),
            "booted": entry(booted, 0),
            "rollback": None,
            "rollbackQueued": False,
            "type": "bootcHost" if booted else None,
        },
    }


def fail(message, faults):
    filler = int(faults.get("stderr_bytes", 0))
    if filler:
        sys.stderr.write(("layer progress noise " * (filler // 21 + 1))[:filler] + "\n")
    sys.stderr.write("error: " + message + "\n")
    sys.exit(1)


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--reboot":
        s = load_json(args[1])
        if s.get("staged"):
            s["booted"], s["staged"] = s["staged"], None
        s["boots"] = s.get("boots", 0) + 1
        save_json(args[1], s)
        return
    path, args = state_path(args)
    s = load_json(path)
    faults = s.get("faults", {})
    s.setdefault("calls", []).append(args)
    s["env"] = dict(os.environ)
    save_json(path, s)
    time.sleep(float(faults.get("sleep_s", 0)))
    if not args:
        fail("no command given", {})
    if args[0] == "status":
        if "--format=json" not in args and "--json" not in args:
            fail("this fake only prints --format=json", {})
        if faults.get("fail") or faults.get("status_fail"):
            fail(faults.get("status_fail") or faults["fail"], faults)
        json.dump(host(s), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if args[0] == "switch":
        rest = [a for a in args[1:] if not a.startswith("--")]
        if len(rest) != 1:
            fail("switch needs exactly one IMAGE", {})
        if faults.get("fail"):
            fail(faults["fail"], faults)
        if "@sha256:" not in rest[0]:
            fail("this fake only stages digest-pinned images", {})
        s = load_json(path)
        s["staged"] = deployment(rest[0])
        if "--apply" in args:
            s["reboots"] = s.get("reboots", 0) + 1
        save_json(path, s)
        print("Queued for next boot: " + rest[0])
        return
    fail("unknown command '%s'" % args[0], {})


if __name__ == "__main__":
    main()
