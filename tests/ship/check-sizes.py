#!/usr/bin/python3
"""check-sizes.py ROOT: the size rules of the code base, as a test.

  * no source file (C++, Python, shell, meson) over 400 lines in src/, tests/ or bench/;
  * no C++ function over 60 lines in src/: a definition whose signature ends with "{" at the
    start of a line (namespaces are not indented here), counted to its "}" at the start of a line.
Prints one line per violation, "N files, M functions checked", and exits 1 on any violation.
"""
import os
import re
import subprocess
import sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
SOURCE = re.compile(r"\.(cpp|h|py|sh|c)$|(^|/)meson\.build$")
# A definition: a line starting at column 0 that ends a signature with "{" (not a control
# statement, class, namespace or initializer); its body ends at "}" alone at column 0.
SIGNATURE = re.compile(r"^()(?=[A-Za-z_~])(?!(if|for|while|switch|else|do|namespace|struct|class|enum|union|"
                       r"return|case|try|catch)\b)[^;=/]*\)\s*(const\s*)?(noexcept\s*)?"
                       r"(override\s*)?(->\s*[\w:<>, ]+\s*)?\{\s*$")


def tracked(root):
    """The source files of src/, tests/ and bench/: git's list, or a walk outside a checkout."""
    git = subprocess.run(["git", "-C", root, "ls-files", "src", "tests", "bench"],
                         capture_output=True, text=True)
    if git.returncode == 0:
        out = git.stdout.split("\n")
    else:
        out = [os.path.relpath(os.path.join(d, f), root)
               for top in ("src", "tests", "bench")
               for d, dirs, files in os.walk(os.path.join(root, top))
               if "/.tools" not in d for f in files]
    return sorted(p for p in out if p and SOURCE.search(p) and "/corpus/" not in p)


def long_functions(path, lines):
    found = []
    for i, line in enumerate(lines):
        m = SIGNATURE.match(line)
        if not m:
            continue
        closing = m.group(1) + "}"
        for j in range(i + 1, len(lines)):
            if lines[j].rstrip() in (closing, closing + ";"):
                if j - i + 1 > MAX_FUNCTION_LINES:
                    found.append("%s:%d: function of %d lines (limit %d)"
                                 % (path, i + 1, j - i + 1, MAX_FUNCTION_LINES))
                break
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    problems, functions = [], 0
    paths = tracked(root)
    for path in paths:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        count = len(lines) - (1 if lines and lines[-1] == "" else 0)
        if count > MAX_FILE_LINES:
            problems.append("%s: %d lines (limit %d)" % (path, count, MAX_FILE_LINES))
        if path.startswith("src/") and path.endswith((".cpp", ".h")):
            functions += sum(1 for line in lines if SIGNATURE.match(line))
            problems += long_functions(path, lines)
    for p in problems:
        print(p)
    print("%d files, %d functions checked" % (len(paths), functions))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
