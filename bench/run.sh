#!/usr/bin/env bash
# One command for the imageswitch benchmarks (Debian 12, as root):
#   bash bench/run.sh [--runs N] [--cordon-runs N]
# Installs the packages (tests/tools/install-deps.sh, incl. skopeo and time), builds a release
# binary in build-release/ (meson --buildtype=release -Dtests=false), compiles bench/runstat.c,
# starts the local servers, prints the results table and saves it as bench/RESULTS.md.
# Figures only: never fails on a number.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
bash tests/tools/install-deps.sh
build=${BENCH_BUILD_DIR:-build-release}
if [ ! -f "$build/build.ninja" ]; then
  # werror=false: GCC 12 at -O3 reports a false -Wrestrict in registries_conf.cpp (see README).
  meson setup "$build" --buildtype=release -Dtests=false -Dwerror=false >/dev/null
fi
ninja -C "$build" -j2 src/imageswitch >/dev/null
mkdir -p "$build/bench"
cc -O2 -Wall -Wextra -Werror -o "$build/bench/runstat" bench/runstat.c
/usr/bin/python3 bench/bench.py --binary "$build/src/imageswitch" --runstat "$build/bench/runstat" \
  --out bench/RESULTS.md "$@"
