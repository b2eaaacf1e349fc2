#!/usr/bin/python3
"""imageswitch benchmarks: prints a Markdown table (figures: median (min–max) of repeated runs)
with the targets next to them, each marked met / missed. Figures only: nothing here fails on a
number (exit status 0 unless the benchmark itself could not run).

Usage: bench.py --binary BUILD/src/imageswitch --runstat RUNSTAT [--runs N] [--cordon-runs N]
                [--workdir DIR] [--out RESULTS.md]
Run it through bench/run.sh, which installs the packages, builds the release binary and runstat."""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (ROOT, Servers, Stat, column, line_count, node, runstat,  # noqa: E402
                      settled_count, trust_config, write, write_config)
import cordon  # noqa: E402
import floor  # noqa: E402
import sizeinfo  # noqa: E402

ROWS = []  # (measurement, figure, comparison/detail, target, verdict)


def row(what, figure, detail, target, ok):
    verdict = "—" if ok is None else ("**met**" if ok else "**missed**")
    ROWS.append((what, figure, detail, target, verdict))


def counted(log, fn):
    """Runs fn(); returns (its result, lines the server appended to log meanwhile)."""
    before = line_count(log)
    result = fn()
    return result, settled_count(log) - before


def all_ok(runs, what):
    bad = [r["rc"] for r in runs if r["rc"] != 0]
    if bad:
        raise RuntimeError("%s exited with %s in %d of %d runs" % (what, bad[0], len(bad), len(runs)))


def bench_noop(a, servers, fx, host):
    pinned = "%s/os/mirrored@%s" % (host, fx["images"]["mirrored"]["digest"])
    _, bus = servers.host_fakes("noop-host", pinned)
    _, kubeconfig, api_log = servers.apiserver("noop-api", {"nodes": [node("n1")], "pods": []})
    d = os.path.join(a.workdir, "noop-cfg")
    keys = trust_config(d, host, "sigstore", fx["keys"]["ec"])
    write(d + "/desired", pinned + "\n")
    keys.update({"source": "file", "desired_file": d + "/desired", "kubeconfig": kubeconfig})
    cmd = [a.binary, "--config", write_config(d, keys), "run"]
    env = dict(os.environ, **bus)
    # The first pass after an update reports "Done" to the cluster once; the tick is what follows.
    subprocess.run(cmd, env=env, capture_output=True, timeout=60, check=True)
    reg_log = servers.registry_log()
    r0, a0 = line_count(reg_log), line_count(api_log)
    runs = runstat(a.runstat, a.runs, cmd, env=env)
    all_ok(runs, "imageswitch run (no-op)")
    reg = settled_count(reg_log) - r0
    api = settled_count(api_log) - a0
    wall, rss = column(runs, "wall_ms"), column(runs, "rss_kb")
    ver = runstat(a.runstat, a.runs, [a.binary, "--version"])
    vw, vr = column(ver, "wall_ms"), column(ver, "rss_kb")
    base = ("baseline `imageswitch --version` (exec + dynamic loading only): %s, %s; the pass "
            "itself (config, state, D-Bus to the Python fake rpm-ostreed): ≈ %.1f ms" % (
                vw.fmt(" ms", 2), kb(vr), wall.median - vw.median))
    row("no-op tick: wall", wall.fmt(" ms", 2), base, "≤ 5 ms", wall.median <= 5)
    row("no-op tick: peak RSS", kb(rss), "cross-check with /usr/bin/time -f %%M: %.2f MB" %
        (gnu_time_rss(cmd, env, a.workdir) / 1024), "≤ 4 MB", rss.median <= 4096)
    row("no-op tick: network requests", "%d registry + %d API in %d passes" % (reg, api, a.runs),
        "registry access log + fake API server log", "0", reg == 0 and api == 0)


def gnu_time_rss(cmd, env, workdir, runs=5):
    """Median peak RSS (KB) of cmd as GNU time reports it."""
    out = os.path.join(workdir, "gnu-time.txt")
    values = []
    for _ in range(runs):
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + cmd, env=env,
                       capture_output=True, timeout=60, check=True)
        values.append(int(open(out).read().split()[-1]))
    return Stat(values).median


def kb(stat):
    return "%.2f MB (%.2f–%.2f)" % (stat.median / 1024, stat.min / 1024, stat.max / 1024)


def bench_check(a, servers, fx, host, label, ref):
    d = os.path.join(a.workdir, "check-any")
    cfg = write_config(d, trust_config(d, host, "any"))
    reg_log = servers.registry_log()
    mine, n_mine = counted(reg_log, lambda: runstat(a.runstat, a.runs,
                                                    [a.binary, "--config", cfg, "check", ref]))
    all_ok(mine, "imageswitch check")
    home = tempfile.mkdtemp(dir=a.workdir)
    env = dict(os.environ, HOME=home, NO_PROXY="*", no_proxy="*")
    peer, n_peer = counted(reg_log, lambda: runstat(
        a.runstat, a.runs, ["skopeo", "inspect", "--tls-verify=false", "docker://" + ref],
        env=env))
    all_ok(peer, "skopeo inspect")
    mw, pw = column(mine, "wall_ms"), column(peer, "wall_ms")
    mr, pr = column(mine, "rss_kb"), column(peer, "rss_kb")
    faster, leaner = pw.median / mw.median, pr.median / mr.median
    row("check %s: wall" % label, mw.fmt(" ms"), "skopeo inspect %s → **%.1f× faster**" %
        (pw.fmt(" ms"), faster), "≥ 5× faster", faster >= 5)
    row("check %s: peak RSS" % label, kb(mr), "skopeo inspect %s → **%.1f× less**" %
        (kb(pr), leaner), "≥ 8× less", leaner >= 8)
    per, per_peer = n_mine / a.runs, n_peer / a.runs
    row("check %s: HTTP requests per check" % label, "%g" % per,
        "skopeo inspect: %g" % per_peer, "1", per <= 1)
    return mine


def bench_signature(a, servers, fx, host, label, ref, unsigned_runs):
    d = os.path.join(a.workdir, "check-sig")
    cfg = write_config(d, trust_config(d, host, "sigstore", fx["keys"]["ec"]))
    reg_log = servers.registry_log()
    runs, n = counted(reg_log, lambda: runstat(a.runstat, a.runs,
                                               [a.binary, "--config", cfg, "check", ref]))
    all_ok(runs, "imageswitch check (signature)")
    d2 = os.path.join(a.workdir, "check-any")
    cfg2 = os.path.join(d2, "config.json")
    _, n_any = counted(reg_log, lambda: runstat(a.runstat, 3, [a.binary, "--config", cfg2,
                                                                 "check", ref]))
    extra = n / a.runs - n_any / 3
    cpu_sig, cpu_any = column(runs, "cpu_ms"), column(unsigned_runs, "cpu_ms")
    row("signature %s: requests beyond the resolve" % label, "%g" % extra,
        "%g with the signature − %g with insecureAcceptAnything" % (n / a.runs, n_any / 3),
        "≤ 3", extra <= 3)
    row("signature %s: CPU time (user+sys)" % label, cpu_sig.fmt(" ms"),
        "without signature %s; wall %s" % (cpu_any.fmt(" ms"), column(runs, "wall_ms").fmt(" ms")),
        "—", None)


def bench_cordon(a, servers, fx):
    results = {}
    for pull in (1.0, 5.0):
        got = [cordon.one_update(servers, a.binary, fx, pull, "%g-%d" % (pull, i))
               for i in range(a.cordon_runs)]
        for g in got:
            if g["rc_run"] != 0 or g["rc_confirm"] != 0 or "cordon_to_reboot_s" not in g:
                raise RuntimeError("cordon simulation failed: %s (logs under %s)" %
                                   (json.dumps(g), a.workdir))
        results[pull] = {k: Stat(g[k] * 1000 for g in got) for k in
                         ("cordon_to_reboot_s", "cordon_to_uncordon_s", "stage_to_cordon_s",
                          "pass_s")}
    small, big = results[1.0], results[5.0]
    for pull, r in results.items():
        row("cordon window, pull %g s: cordon → reboot request" % pull,
            r["cordon_to_reboot_s"].fmt(" ms"),
            "cordon → uncordon (instant simulated reboot) %s; pull → cordon %s; pass %s" % (
                r["cordon_to_uncordon_s"].fmt(" ms", 0), r["stage_to_cordon_s"].fmt(" ms", 0),
                r["pass_s"].fmt(" ms", 0)), "independent of the pull", None)
    growth = big["cordon_to_reboot_s"].median - small["cordon_to_reboot_s"].median
    grew = big["cordon_to_uncordon_s"].median - small["cordon_to_uncordon_s"].median
    row("cordon window growth, pull 1 s → 5 s", "%+.0f ms (cordon → reboot)" % growth,
        "%+.0f ms (cordon → uncordon); the pull grew by +4000 ms" % grew,
        "no growth (< 10 % of the pull growth)", abs(growth) < 400 and abs(grew) < 400)


def environment(a, fx):
    git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    skopeo = subprocess.run(["skopeo", "--version"], capture_output=True, text=True).stdout.strip()
    return ["imageswitch %s (release build), %s; %s; Linux %s, %d CPUs, load average %s" % (
        git, a.binary, skopeo, platform.release(), os.cpu_count(),
        " ".join("%.2f" % x for x in os.getloadavg())),
        "%d runs per figure (cordon window: %d updates per pull time); median (min–max)" % (
            a.runs, a.cordon_runs)]


def render(header, size_lines):
    out = ["# imageswitch benchmark results", "", *("- " + h for h in header), "",
           "| measurement | imageswitch | comparison / detail | target | status |",
           "|---|---|---|---|---|"]
    out += ["| %s |" % " | ".join(r) for r in ROWS]
    return "\n".join(out + [""] + size_lines) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--runstat", required=True)
    p.add_argument("--runs", type=int, default=21)
    p.add_argument("--cordon-runs", type=int, default=3)
    p.add_argument("--workdir")
    p.add_argument("--out")
    a = p.parse_args()
    a.binary = os.path.abspath(a.binary)
    own_workdir = not a.workdir
    a.workdir = a.workdir or tempfile.mkdtemp(prefix="imageswitch-bench-")
    servers = Servers(a.workdir)
    ok = False
    try:
        fx = servers.registry()
        host = fx["registries"]["plain"]["host"]
        print("bench: no-op tick", file=sys.stderr)
        bench_noop(a, servers, fx, host)
        for label, key in (("single-arch", "mirrored"), ("multi-arch index", "signed")):
            print("bench: check / signature, %s" % label, file=sys.stderr)
            ref = fx["images"][key]["ref"]
            unsigned_runs = bench_check(a, servers, fx, host, label, ref)
            bench_signature(a, servers, fx, host, label, ref, unsigned_runs)
        print("bench: cordon window", file=sys.stderr)
        bench_cordon(a, servers, fx)
        size_lines = sizeinfo.report(a.binary, row)
        print("bench: startup floor", file=sys.stderr)
        size_lines += [""] + floor.report(a.workdir, a.runstat, a.runs)
        text = render(environment(a, fx), size_lines)
        print(text)
        if a.out:
            with open(a.out, "w") as f:
                f.write(text)
        ok = True
    finally:
        servers.stop_all()
        if own_workdir and ok:
            shutil.rmtree(a.workdir, ignore_errors=True)
        elif not ok:
            print("bench: failed; files kept in %s" % a.workdir, file=sys.stderr)
    return 0


if __name__ == "__main__":
    time.tzset()
    sys.exit(main())
