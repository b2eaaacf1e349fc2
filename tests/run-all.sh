#!/usr/bin/env bash
# The README's test command (what .ci/run calls): installs what it needs, builds ONE configuration
# — clang with AddressSanitizer + UBSan, the failpoints for the node simulation, and libFuzzer
# coverage so the fuzz targets link the same objects — and runs every suite in it: unit,
# integration, node simulation, fuzzing (short runs), shipping checks. The packaging suite builds
# the RPM with the distribution's compiler (GCC, optimised, -Werror), which covers the
# unsanitized GCC build. Ends with the wall time and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bash tests/tools/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
bash tests/tools/fetch-trixie-tools.sh || echo "run-all: cosign/skopeo not fetched; cosign cases skip" >&2

build=${IMAGESWITCH_BUILD_DIR:-build-ci}
jobs=$(nproc)
if [[ ! -f $build/build.ninja ]]; then
  CC=clang CXX=clang++ meson setup "$build" -Dfailpoints=true -Dfuzz=true \
    -Db_sanitize=address,undefined -Db_lundef=false >"$build.setup.log" 2>&1 ||
    { cat "$build.setup.log"; echo "0 passed, 1 failed"; exit 1; }
fi
if ! ninja -C "$build" -j "$jobs" >"$build.ninja.log" 2>&1; then
  grep -E 'error|FAILED' "$build.ninja.log" | head -40
  echo "0 passed, 1 failed"
  exit 1
fi
echo "run-all: built in $(($(date +%s) - started)) s"
status=0
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C "$build" --print-errorlogs --num-processes "$jobs" --no-rebuild \
  >"$build.test.log" 2>&1 || status=1
grep -E '^ *[0-9]+/[0-9]+ ' "$build.test.log"
python3 tests/tools/summarize.py "$build/meson-logs/testlog.json" >"$build.summary" || status=1
elapsed=$(($(date +%s) - started))
echo "run-all: wall time $((elapsed / 60)) min $((elapsed % 60)) s on $jobs cores"
cat "$build.summary"
exit $status
