#!/usr/bin/env bash
# The README's test command: installs what it needs, builds the normal and the sanitized
# (address + undefined) configurations, runs every test in both and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash tests/tools/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

jobs=$(nproc)
status=0
logs=()
for config in build build-asan; do
  opts=(-Dfailpoints=true)
  [[ $config == build-asan ]] && opts+=(-Db_sanitize=address,undefined -Db_lundef=false)
  if [[ ! -d $config ]]; then
    meson setup "$config" "${opts[@]}" >"$config.setup.log" 2>&1 ||
      { cat "$config.setup.log"; echo "0 passed, 1 failed"; exit 1; }
  fi
  if ! ninja -C "$config" -j "$jobs" >"$config.ninja.log" 2>&1; then
    tail -50 "$config.ninja.log"
    echo "0 passed, 1 failed"
    exit 1
  fi
  # The RPM build compiles the project itself: once (normal configuration) is enough.
  suites=()
  [[ $config == build-asan ]] && suites=(--no-suite packaging)
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$config" --print-errorlogs --num-processes "$jobs" --no-rebuild "${suites[@]}" \
    >"$config.test.log" 2>&1 || status=1
  grep -E '^ *[0-9]+/[0-9]+ ' "$config.test.log" | sed "s|^|[$config] |"
  logs+=("$config/meson-logs/testlog.json")
done
python3 tests/tools/summarize.py "${logs[@]}" || status=1
exit $status
