#!/usr/bin/python3
"""Figures of a fleet simulation (bench/fleet.py): from the fake API server's request log, the
FleetLock log, the passes each simulated systemd unit ran and the compressed waits."""
import statistics

from fleetsim import RESTART_S, TIMER_S

TARGET_GAP_S, TARGET_MAKESPAN, TARGET_IDLE, TARGET_BYTES = 5.0, 1.05, 12.0, 4096


def owner(entry):
    """The node a request came from (its kubelet identity or its gate identity)."""
    user = entry.get("user", "")
    for prefix in ("system:node:", "imageswitch-gate:"):
        if user.startswith(prefix):
            return user[len(prefix):]
    return None


def cordons(api, since):
    """node → first time its Node was seen unschedulable after `since` (its cordon PATCH)."""
    out = {}
    for e in api:
        n = owner(e)
        if (e["ts"] >= since and n and n not in out and e["method"] == "PATCH" and
                e.get("unschedulable") and e["path"].startswith("/api/v1/nodes/" + n)):
            out[n] = e["ts"]
    return out


def releases(r):
    """[(time, node)] when a node gave the slot back (or an admin did it for a dead node)."""
    out = []
    if r["gate"] == "lease":
        holder = ""
        for e in r["api"]:
            if "holder" not in e or e["status"] // 100 != 2:
                continue
            if e["method"] in ("PUT", "POST") and holder and e["holder"] != holder:
                if e["holder"] == "":
                    out.append((e["ts"], holder))
            if e["method"] in ("PUT", "POST"):
                holder = e["holder"]
    else:
        held = []
        for e in r["fleetlock"]:
            if e["status"] == 200 and e["path"] == "/v1/steady-state":
                gone = [h for h in held if h not in e["holders"]]
                out += [(e["ts"], h) for h in gone]
            held = e["holders"]
    return out


def handoff_gaps(r, since):
    cordon = cordons(r["api"], since)
    gaps = []
    for t, node in releases(r):
        if t < since:
            continue
        after = [c for n, c in cordon.items() if c >= t and n != node]
        if after:
            gaps.append((min(after) - t, min(after)))
    return gaps, cordon


def sim_span(r, scale, start, end, node=None):
    """Simulated seconds of [start, end]: real time, plus (scale-1)× the compressed waits in it
    (of `node` only, or of the critical path: timer waits before the first pass after `start`,
    drains and reboots)."""
    squeezed = 0.0
    for n, what, t, dur in r["squeezed"]:
        if node is not None and n != node:
            continue
        lo, hi = max(t, start), min(t + dur, end)
        if hi > lo and (node is not None or what == "reboot"):
            squeezed += hi - lo
    return (end - start) + (scale - 1) * squeezed


def done_times(r, roll):
    """node → end of its first successful boot pass after `roll` (it reported Done then)."""
    out = {}
    for n, ps in r["passes"].items():
        boots = [p["end"] for p in ps if p["start"] >= roll and p["why"] == "boot" and p["rc"] == 0]
        if boots and n != r["dead"]:
            out[n] = min(boots)
    return out


def rollout_figures(args, r):
    """Makespan: from the annotation change to the last healthy node's Done, in simulated s."""
    roll, scale = r["marks"]["roll"], args.scale
    done = done_times(r, roll)
    end = max(done.values()) if done else r["marks"]["end"]
    gaps, cordon = handoff_gaps(r, roll)
    gaps = [g for g, t in gaps if t <= end]
    first_pass = min(p["start"] for ps in r["passes"].values() for p in ps if p["start"] >= roll)
    drains = len([n for n, t in cordon.items() if t <= end])
    notice = first_pass - roll
    squeezed = notice + drains * args.drain_s / scale  # compressed, beside the reboots
    makespan = sim_span(r, scale, roll, end) + (scale - 1) * squeezed
    ideal = len(done) * (args.drain_s + args.reboot_s)
    fault = 0.0
    if r["dead"] in cordon and cordon[r["dead"]] <= end:
        down = min(p["end"] for p in r["passes"][r["dead"]] if p["end"] >= cordon[r["dead"]])
        nxt = [c for c in cordon.values() if c > down]
        # its drain is not in the ideal; from its reboot request the slot waited for the Lease
        # TTL or the admin (real seconds: the dead node's downtime is never compressed)
        fault += args.drain_s + ((min(nxt) if nxt else end) - down)
    if r["marks"].get("crash", end + 1) <= end:
        fault += RESTART_S
    ents = [e for e in r["api"] if roll <= e["ts"] <= end]
    waits = [(n, p) for n, ps in r["passes"].items() for p in ps
             if p["rc"] == 10 and roll <= p["start"] <= end]
    per_wait = 0.0
    if waits:
        count = sum(1 for n, p in waits for e in r["api"]
                    if owner(e) == n and p["start"] <= e["ts"] <= p["end"] + 0.05)
        per_wait = count / len(waits)
        cycle = RESTART_S + statistics.mean(p["end"] - p["start"] for _, p in waits)
    return {"gaps": gaps, "makespan": makespan, "ideal": ideal, "fault": fault,
            "notice": notice * scale, "done": len(done), "requests": len(ents),
            "nodes_done": sorted(done),
            "rate": len(ents) / len(r["names"]) / (makespan / 3600.0),
            "bytes": statistics.mean(e["bytes"] for e in ents) if ents else 0,
            "per_wait": per_wait, "wait_rate": per_wait * 3600.0 / cycle if waits else 0.0,
            "wait_passes": len(waits), "forbidden": sum(1 for e in r["api"] if e["status"] == 403),
            # the same node work (drains, reboots, passes), the next node started at once
            "controller": makespan - fault - sum(gaps) - notice * scale}


def idle_figures(args, r):
    lo, hi = r["marks"]["idle0"], r["marks"]["idle1"]
    ents = [e for e in r["api"] if lo <= e["ts"] <= hi]
    node_hours = sum(sim_span(r, args.scale, lo, hi, n) for n in r["names"]) / 3600.0
    ticks = sum(1 for ps in r["passes"].values() for p in ps if lo <= p["start"] <= hi)
    size = [e["bytes"] for e in ents] or [0]
    return {"rate": len(ents) / node_hours if node_hours else 0, "ticks": ticks,
            "per_tick": len(ents) / ticks if ticks else 0, "bytes": statistics.mean(size),
            "max_bytes": max(size), "node_hours": node_hours}


def met(ok):
    return "met" if ok else "MISSED"


def report(args, results, wall):
    lines, broken, idle = [], False, None
    base, rand, acc = TIMER_S
    lines.append("## Fleet simulation (`bash bench/fleet.sh %d`)" % args.nodes)
    lines.append("")
    lines.append("- %s" % getattr(args, "header", ""))
    lines.append("- %d nodes, each the real agent on its own host (private dbus-daemon, fake "
                 "rpm-ostreed, fake logind), one fake API server, one gate slot; %.0f s real" %
                 (args.nodes, wall))
    lines.append("- clock: timer waits, pod shutdown (drain %.0f s) and reboots (%.0f s, down "
                 "until "
                 "network-online) compressed %gx (1 s real per %g s simulated); agent passes, "
                 "RestartSec=%g and the Lease TTL run in real time" %
                 (args.drain_s, args.reboot_s, args.scale, args.scale, RESTART_S))
    lines.append("- idle cadence: imageswitch.timer OnUnitInactiveSec=%ds + RandomizedDelaySec=%ds"
                 " + AccuracySec=%ds; waiting: exit 10 → restart after %g s; boot pass at once "
                 "(imageswitch-boot.timer's 10 s elapse while the host boots)" %
                 (base, rand, acc, RESTART_S))
    summary = []
    for r in results:
        if "idle0" in r["marks"]:
            idle = idle_figures(args, r)
            lines.append("- idle (%s run): %d ticks over %.1f node-hours: %.1f req/node/h, %.2f "
                         "req per tick, %.1f KB per response (max %.1f KB)" %
                         (r["gate"], idle["ticks"], idle["node_hours"], idle["rate"],
                          idle["per_tick"], idle["bytes"] / 1024, idle["max_bytes"] / 1024))
    lines.append("")
    lines.append("| gate | makespan | ideal N×(drain+reboot) | controller model | handoff gap "
                 "median (max) | waiting pass | rollout load | 403 | faults |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if not r["ok"]:
            broken = True
        f = rollout_figures(args, r)
        gaps = f["gaps"] or [float("nan")]
        clean = f["makespan"] - f["fault"]
        faults = fault_text(r, f)
        lines.append("| %s | %.0f s (%.1f min; first node noticed after %.0f s); %.3fx ideal "
                     "without the fault windows (%.0f s), %.3fx with | %.0f s (%d nodes) | "
                     "%.0f s: no notice delay, no handoff gaps; ours %.3fx | "
                     "%.1f s (%.1f s), %d handoffs | %.1f requests, every %.1f s → %.0f req/h | "
                     "%.0f req/node/h, %.1f KB/req | %d | %s |" %
                     (r["gate"], f["makespan"], f["makespan"] / 60, f["notice"], clean / f["ideal"],
                      f["fault"], f["makespan"] / f["ideal"], f["ideal"], f["done"],
                      f["controller"], clean / f["controller"], statistics.median(gaps),
                      max(gaps), len(f["gaps"]),
                      f["per_wait"], RESTART_S, f["wait_rate"], f["rate"], f["bytes"] / 1024,
                      f["forbidden"], faults))
        r["figures"] = f
        summary.append(summary_line(args, r, f, idle))
    lines.append("")
    lines += targets(results, idle)
    lines.append("")
    lines += extrapolation(args, results, idle)
    lines.append("")
    lines += ["    " + s for s in summary]
    for r in results:
        lines += ["note (%s): %s" % (r["gate"], n) for n in r["notes"]]
    return "\n".join(lines), broken


def fault_text(r, f):
    out = []
    if r["crash"]:
        out.append("%s killed mid-drain%s" % (r["crash"], ", restarted, finished" if
                                              "crash" in r["marks"] else " (never drained)"))
    if r["dead"]:
        how = ("Lease TTL" if r["gate"] == "lease" else "admin steady-state (FleetLock has no TTL)")
        out.append("%s never back: slot freed by %s" % (r["dead"], how))
        d = r.get("dead_report")
        if d:
            out.append("back later on the old image: exit %s, %s: %s" % (d[2], d[0], d[1]))
    return "; ".join(out) or "none"


def summary_line(args, r, f, idle):
    gaps = f["gaps"] or [float("nan")]
    text = "fleet N=%d gate=%s: makespan %.3fx ideal, handoff gap %.1f s (max %.1f s)" % (
        args.nodes, r["gate"], (f["makespan"] - f["fault"]) / f["ideal"],
        statistics.median(gaps), max(gaps))
    if idle:
        text += ", idle %.1f req/node/h, %.1f KB/req" % (idle["rate"], idle["bytes"] / 1024)
    return text + ", %d x 403" % f["forbidden"]


def targets(results, idle):
    out = ["| target | " + " | ".join(r["gate"] for r in results) + " |",
           "|---|" + "---|" * len(results)]
    rows = [("handoff gap ≤ %g s (max)" % TARGET_GAP_S,
             lambda f: max(f["gaps"] or [1e9]) <= TARGET_GAP_S),
            ("makespan ≤ %.2f × ideal (without fault windows)" % TARGET_MAKESPAN,
             lambda f: (f["makespan"] - f["fault"]) / f["ideal"] <= TARGET_MAKESPAN),
            ("no 403 under NodeRestriction", lambda f: f["forbidden"] == 0)]
    for name, ok in rows:
        out.append("| %s | " % name + " | ".join(met(ok(r["figures"])) for r in results) + " |")
    if idle:
        out.append("| idle ≤ %g req/node/h | %s |" % (TARGET_IDLE, " | ".join(
            [met(idle["rate"] <= TARGET_IDLE)] * len(results))))
        out.append("| each idle response ≤ 4 KB | %s |" % " | ".join(
            [met(idle["max_bytes"] <= TARGET_BYTES)] * len(results)))
    return out


def extrapolation(args, results, idle):
    out = ["| nodes | idle: req/s at the API server | idle: KB/s | rollout, one slot: N−1 waiting "
           "nodes (the costlier gate), req/s | controller model (watch per node): req/s idle |",
           "|---|---|---|---|---|"]
    wait_rate = max(r["figures"]["wait_rate"] for r in results if "figures" in r)
    for n in sorted({args.nodes, 100, 1000, 5000}):
        idle_rps = n * idle["rate"] / 3600 if idle else float("nan")
        kbps = idle_rps * idle["bytes"] / 1024 if idle else float("nan")
        out.append("| %d | %.1f | %.1f | %.0f | %.1f |" % (
            n, idle_rps, kbps, (n - 1) * wait_rate / 3600, n * 8 / 3600))
    out.append("")
    out.append("Controller model: the machine-config-operator's controller starts the next node as "
               "soon as the previous one is done: our makespan without the first node's notice "
               "delay (the timer tick after the annotation changed) and the handoff gaps; each "
               "daemon keeps "
               "one watch on its Node, re-established every 5–10 min (client-go reflector "
               "timeout), ≈ 8 req/node/h plus the streamed Node updates.")
    return out
