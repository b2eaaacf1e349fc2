"""Startup floor: what exec + dynamic loading alone costs for the libraries imageswitch links.

Compiles an empty C++ program several times, each linked (with --no-as-needed, so the loader
maps them) against one of imageswitch's libraries, and measures it like the agent. The
difference to the plain C++ program is what that library's closure costs at every start."""

import os
import subprocess

from benchlib import Stat, runstat

PROGRAM = "#include <string>\nint main(int c, char** v) { std::string s(v[0]); return s.empty(); }\n"
PROBES = [
    ("C++ runtime only (libstdc++)", []),
    ("+ libsystemd", ["-lsystemd"]),
    ("+ libcrypto", ["-lcrypto"]),
    ("+ yaml-cpp", ["-lyaml-cpp"]),
    ("+ tomlplusplus", ["-ltomlplusplus"]),
    ("+ libcurl (Debian: gnutls, krb5, ldap, ssh2, rtmp, … behind it)", ["-lcurl"]),
    ("all of imageswitch's libraries but libcurl", ["-lsystemd", "-lcrypto", "-lyaml-cpp",
                                                    "-ltomlplusplus"]),
    ("all of imageswitch's libraries", ["-lsystemd", "-lcrypto", "-lyaml-cpp", "-ltomlplusplus",
                                        "-lcurl"]),
]


def report(workdir, runstat_bin, runs):
    d = os.path.join(workdir, "floor")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "empty.cpp")
    with open(src, "w") as f:
        f.write(PROGRAM)
    lines = ["Startup floor (an empty C++ program linked against the library; %d runs):" % runs, "",
             "| program | wall | peak RSS |", "|---|---|---|"]
    c_prog = os.path.join(d, "empty-c")
    with open(c_prog + ".c", "w") as f:
        f.write("int main(void) { return 0; }\n")
    subprocess.run(["cc", "-O2", "-o", c_prog, c_prog + ".c"], check=True, timeout=120)
    probes = [("C, libc only", c_prog)]
    for i, (label, libs) in enumerate(PROBES):
        exe = os.path.join(d, "probe%d" % i)
        subprocess.run(["g++", "-O2", "-o", exe, src, "-Wl,--no-as-needed"] + libs, check=True,
                       timeout=120)
        probes.append((label, exe))
    for label, exe in probes:
        got = runstat(runstat_bin, runs, [exe])
        wall = Stat(r["wall_ms"] for r in got)
        rss = Stat(r["rss_kb"] for r in got)
        lines.append("| %s | %s | %.2f MB |" % (label, wall.fmt(" ms", 2), rss.median / 1024))
    return lines
