#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang++ -fsanitize=fuzzer,address,
# undefined in OUT (a tiny separate build: only the parser sources, objects reused while their
# source is older) and runs each for SECONDS on a copy of its seed corpus tests/fuzz/corpus/NAME.
# Exit 77 (skipped) when clang++ or libFuzzer is missing. Last line: "N passed, N failed".
# Usage: run-fuzz.sh SOURCE_ROOT OUT [SECONDS] [TARGET...]
set -uo pipefail
root=$(cd "$1" && pwd)
out=$2
seconds=${3:-5}
shift 3 2>/dev/null || shift $#
cxx=${CXX_FUZZ:-clang++}
mkdir -p "$out/obj" "$out/bin"
if ! command -v "$cxx" >/dev/null ||
  ! printf 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }\n' |
  "$cxx" -x c++ -fsanitize=fuzzer - -o "$out/probe" 2>/dev/null; then
  echo "run-fuzz: $cxx with libFuzzer is not available; skipping"
  exit 77
fi
deps=(libsystemd libcurl nlohmann_json libcrypto tomlplusplus yaml-cpp)
cflags="-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
  -fno-sanitize-recover=undefined -I$root/src -I$out $(pkg-config --cflags "${deps[@]}")"
libs=$(pkg-config --libs "${deps[@]}")
printf '#pragma once\n#define IMAGESWITCH_VERSION "fuzz"\n' >"$out/version.h"
# The parsers and what they pull in (not the agent's main).
lib_sources="image_ref auth_file base64 fileutil policy policy_eval signature registry http_client
  registries_conf registries_d kubeconfig kube_http state config journal failpoint bootc
  subprocess logind bus"
objs=()
for s in $lib_sources; do
  o=$out/obj/$s.o
  if [[ ! -f $o || $root/src/$s.cpp -nt $o ]]; then
    # shellcheck disable=SC2086
    "$cxx" $cflags -fsanitize=fuzzer-no-link -c "$root/src/$s.cpp" -o "$o" ||
      { echo "run-fuzz: failed to compile src/$s.cpp"; echo "0 passed, 1 failed"; exit 1; }
  fi
  objs+=("$o")
done
# An archive, so each target links only the objects it needs.
rm -f "$out/parsers.a"
ar rcs "$out/parsers.a" "${objs[@]}"
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in "$root"/tests/fuzz/fuzz_*.cpp; do
    n=${f##*/fuzz_}
    targets+=("${n%.cpp}")
  done
fi
passed=0 failed=0
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for t in "${targets[@]}"; do
  bin=$out/bin/fuzz_$t
  # shellcheck disable=SC2086
  if ! "$cxx" $cflags -fsanitize=fuzzer "$root/tests/fuzz/fuzz_$t.cpp" "$out/parsers.a" $libs \
    -o "$bin"; then
    echo "FAIL fuzz_$t: does not build"
    failed=$((failed + 1))
    continue
  fi
  work=$out/work/$t
  rm -rf "$work" "$out/crash-$t"
  mkdir -p "$work" "$out/crash-$t"
  seeds=()
  [[ -d $root/tests/fuzz/corpus/$t ]] && seeds=("$root/tests/fuzz/corpus/$t")
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$out/crash-$t/" -print_final_stats=0 "$work" "${seeds[@]}" >"$out/$t.log" 2>&1; then
    runs=$(grep -oE '#[0-9]+' "$out/$t.log" | tail -1)
    echo "ok   fuzz_$t (${runs:-?} executions)"
    passed=$((passed + 1))
  else
    echo "FAIL fuzz_$t: see $out/$t.log; reproducer in $out/crash-$t/"
    grep -E 'ERROR|SUMMARY|runtime error' "$out/$t.log" | head -5
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
((failed == 0))
