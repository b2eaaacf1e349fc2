"""Binary size (stripped copy) and the shared libraries the binary links."""

import os
import re
import subprocess
import tempfile

TARGET_BYTES = 1.5 * 1024 * 1024


def stripped_size(binary):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "stripped")
        subprocess.run(["strip", "-o", out, binary], check=True, timeout=60)
        return os.path.getsize(out)


def needed(binary):
    """DT_NEEDED entries: the libraries the binary itself links."""
    text = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                          timeout=30).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", text)


def loaded(binary):
    """Everything ldd resolves (direct and transitive), without the vDSO."""
    text = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30).stdout
    return [line.split()[0] for line in text.splitlines() if line.strip()
            and "vdso" not in line]


def report(binary, row):
    size = stripped_size(binary)
    row("binary size (stripped)", "%.2f MB (%d bytes)" % (size / 1048576, size),
        "unstripped %.2f MB" % (os.path.getsize(binary) / 1048576), "≤ 1.5 MB",
        size <= TARGET_BYTES)
    direct, every = needed(binary), loaded(binary)
    row("shared libraries", "%d linked, %d loaded" % (len(direct), len(every)),
        "ldd: every library below is mapped at each start", "—", None)
    lines = ["Linked (DT_NEEDED): " + ", ".join(direct), "",
             "Loaded at start (ldd, transitive): " + ", ".join(every)]
    variants = os.path.join(os.path.dirname(os.path.abspath(__file__)), "SIZE-VARIANTS.md")
    if os.path.exists(variants):
        lines += ["", "Size variants (bench/size-variants.sh, last run):", "",
                  open(variants).read().strip()]
    return lines
