#!/usr/bin/env bash
# Fleet simulation benchmark: bash bench/fleet.sh [N] [fleet.py options]
# N simulated nodes (default 20; 100 works but takes longer), each running the real agent on its
# own simulated host, against one fake API server and one gate slot (Lease, then FleetLock).
# Uses a -Dfailpoints=true build (default build/, or $FLEET_BUILD_DIR); sets it up when missing.
# Needs the test packages (tests/tools/install-deps.sh). Figures only: never fails on a number.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
n=20
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then n=$1; shift; fi
build=${FLEET_BUILD_DIR:-build}
if [[ ! -f $build/build.ninja ]]; then
  meson setup "$build" -Dfailpoints=true >/dev/null
fi
ninja -C "$build" -j2 src/imageswitch >/dev/null
exec /usr/bin/python3 bench/fleet.py --binary "$build/src/imageswitch" --nodes "$n" "$@"
