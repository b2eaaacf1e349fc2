#!/usr/bin/env bash
# One command for the imageswitch benchmarks (Debian 12, as root):
#   bash bench/run.sh [--runs N] [--cordon-runs N] [--fleet [N]]
# Installs the packages (tests/tools/install-deps.sh, incl. skopeo and time), builds a release
# binary in build-release/ (meson --buildtype=release -Dtests=false), compiles bench/runstat.c,
# starts the local servers, prints the results table and saves it as bench/RESULTS.md.
# --fleet [N] also runs the fleet simulation (bench/fleet.sh, N nodes, default 20, a few minutes
# on 2 cores; its own failpoints build in build/) and appends its section to bench/RESULTS.md.
# Figures only: never fails on a number.
set -euo pipefail
fleet=""
args=()
while [[ $# -gt 0 ]]; do
  if [[ $1 == --fleet ]]; then
    fleet=20
    if [[ ${2:-} =~ ^[0-9]+$ ]]; then fleet=$2; shift; fi
  else
    args+=("$1")
  fi
  shift
done
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
  --out bench/RESULTS.md ${args[@]+"${args[@]}"}
if [[ -n $fleet ]]; then
  bash bench/fleet.sh "$fleet" --out "$build/bench/FLEET.md"
  { echo; cat "$build/bench/FLEET.md"; } >>bench/RESULTS.md
fi
