#!/usr/bin/env bash
# Runs each libFuzzer target built by meson (-Dfuzz=true) for SECONDS on a copy of its seed corpus.
# Usage: run.sh CORPUS_DIR WORKDIR SECONDS TARGET_BINARY... (meson test --suite fuzz passes them).
# Ends with "N passed, N failed" (one per target).
set -uo pipefail
corpus_root=$1 work=$2 seconds=$3
shift 3
mkdir -p "$work"
passed=0 failed=0
for bin in "$@"; do
  t=$(basename "$bin")
  t=${t#fuzz_}
  corpus="$work/corpus/$t"
  mkdir -p "$corpus"
  cp -n "$corpus_root/$t"/* "$corpus"/ 2>/dev/null || true
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 "$bin" -max_total_time="$seconds" \
      -timeout=5 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$work/$t-" "$corpus" >"$work/$t.log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$t.log" | awk '{print $2}')
    echo "ok   $t ($(find "$corpus" -type f | wc -l) corpus files, ${execs:-?} runs in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "FAIL $t:"
    grep -E 'ERROR|SUMMARY|Test unit written|round-trip' "$work/$t.log" | head -5
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
