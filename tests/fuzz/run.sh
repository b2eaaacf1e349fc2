#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (address + undefined sanitizers) and runs each for a short
# time on its seed corpus (tests/fuzz/corpus/<target>/). Usage: run.sh SOURCE_ROOT WORKDIR [SECONDS]
# Ends with "N passed, N failed" (one per target). Exit 77 (skip) when clang cannot build fuzzers.
set -uo pipefail
root=$1
work=$2
seconds=${3:-10}
targets=(image_ref manifest signature_payload policy registries_conf registries_d www_authenticate
         auth_file kubeconfig kube_objects state config bootc_status machineconfig)
command -v clang++ >/dev/null || { echo "SKIP: clang++ not installed"; exit 77; }
mkdir -p "$work/obj"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
       -I"$root/src/core" -I"$root/src/net" -I"$root/src/host" -I"$root/src/trust" -I"$root/src/cluster" -I"$root/src/render" -I"$work" $(pkg-config --cflags libsystemd libcurl nlohmann_json libcrypto tomlplusplus yaml-cpp zlib))
libs=($(pkg-config --libs libsystemd libcurl libcrypto tomlplusplus yaml-cpp zlib))
printf '#pragma once\n#define IMAGESWITCH_VERSION "fuzz"\n' >"$work/version.h"
# src/render's objects too, without its main().
sources=("$root"/src/{core,net,host,trust,cluster}/*.cpp)
for src in "$root"/src/render/*.cpp; do [[ $src == */main.cpp ]] || sources+=("$src"); done
for src in "${sources[@]}"; do
  [[ $work/obj/$(basename "$src" .cpp).o -nt $src ]] || echo "$src"
done | xargs -r -P "$(nproc)" -I{} sh -c 'clang++ "$@" -c {} -o "'"$work"'/obj/$(basename {} .cpp).o"' _ "${flags[@]}" ||
  { echo "0 passed, 1 failed"; exit 1; }
objs=()
for src in "${sources[@]}"; do objs+=("$work/obj/$(basename "$src" .cpp).o"); done
passed=0
failed=0
for t in "${targets[@]}"; do
  bin="$work/fuzz_$t"
  if ! clang++ "${flags[@]}" -fsanitize=fuzzer -DFUZZ_TARGET_"$t" "$root/tests/fuzz/fuzz_targets.cpp" \
      "${objs[@]}" "${libs[@]}" -o "$bin" 2>"$work/$t.link.log"; then
    echo "FAILED to build fuzz target $t"; tail -5 "$work/$t.link.log"; failed=$((failed + 1)); continue
  fi
  corpus="$work/corpus/$t"
  mkdir -p "$corpus"
  cp -n "$root"/tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  if UBSAN_OPTIONS=halt_on_error=1 "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/$t-" "$corpus" >"$work/$t.log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$t.log" | awk '{print $2}')
    echo "ok   $t ($(grep -c '' <(ls "$corpus")) corpus files, ${execs:-?} runs in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "FAIL $t:"; grep -E 'ERROR|SUMMARY|Test unit written' "$work/$t.log" | head -5
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
