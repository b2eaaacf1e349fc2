#!/usr/bin/env python3
"""Prints 'N passed, N failed' over meson testlog.json files.

A doctest executable counts its test cases (from its own summary line); any other test counts
as one. A test whose process failed but whose doctest line shows no failure counts one failure.
"""
import json
import re
import sys

DOCTEST = re.compile(r"\[doctest\] test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed")
PLAIN = re.compile(r"^(\d+) passed, (\d+) failed", re.M)


def count(entry):
    out = (entry.get("stdout") or "") + (entry.get("stderr") or "")
    ok = entry.get("result") in ("OK", "EXPECTEDFAIL")
    skipped = entry.get("result") == "SKIP"
    m = DOCTEST.search(out) or PLAIN.search(out)
    if skipped:
        return 0, 0, 1
    if m:
        g = m.groups()
        passed, failed = int(g[-2]), int(g[-1])
        if not ok and failed == 0:
            failed = 1
        return passed, failed, 0
    return (1, 0, 0) if ok else (0, 1, 0)


def main():
    total_p = total_f = total_s = 0
    for path in sys.argv[1:]:
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                p, fl, s = count(entry)
                total_p += p
                total_f += fl
                total_s += s
                if fl:
                    print(f"FAILED: {entry.get('name')} ({path})")
    if total_p + total_f == 0:
        total_f = 1
        print("FAILED: no test ran")
    line = f"{total_p} passed, {total_f} failed"
    if total_s:
        line += f", {total_s} skipped"
    print(line)
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
