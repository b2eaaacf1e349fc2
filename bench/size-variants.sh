#!/usr/bin/env bash
# Builds imageswitch in a few size-oriented configurations (own build dirs build-size-<slug>;
# the project's default options are untouched) and writes the stripped sizes to
# bench/SIZE-VARIANTS.md, which bench/bench.py appends to the results.
#   bash bench/size-variants.sh        (after bench/run.sh; ~3–5 min per variant on 2 cores)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")"
build=${BENCH_BUILD_DIR:-build-release}
runstat=$build/bench/runstat
gc="-Dcpp_args=['-ffunction-sections','-fdata-sections'] -Dcpp_link_args=-Wl,--gc-sections"
# slug | name | meson options (werror=false: GCC 12 at -O3 reports a false -Wrestrict, see
# bench/README.md). The first is bench/run.sh's own build (same directory, same options).
variants=(
  "release|release (-O3), what run.sh measures|--buildtype=release"
  "o2|release at -O2|--buildtype=release -Doptimization=2"
  "release-lto|release + LTO + gc-sections|--buildtype=release -Db_lto=true $gc"
  "minsize|minsize (-Os)|--buildtype=minsize"
  "minsize-lto|minsize + LTO + gc-sections|--buildtype=minsize -Db_lto=true $gc"
)
median_rss() {  # median peak RSS (KB) of `BINARY --version` over 11 runs, or "-"
  if [ -x "$runstat" ]; then
    "$runstat" 11 -- "$1" --version | awk '{print $2}' | sort -n | sed -n 6p
  else
    echo "-"
  fi
}
out=bench/SIZE-VARIANTS.md
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  echo "| variant | meson options | stripped | vs release | RSS of --version |"
  echo "|---|---|---|---|---|"
} >"$tmp"
base=
for v in "${variants[@]}"; do
  IFS='|' read -r slug name opts <<<"$v"
  dir=build-size-$slug
  [ "$slug" != release ] || dir=$build
  if [ ! -f "$dir/build.ninja" ]; then
    rm -rf "$dir"
    set -f  # the options hold [ ] (meson arrays): split on spaces, no globbing
    # shellcheck disable=SC2086
    meson setup "$dir" $opts -Dtests=false -Dwerror=false >/dev/null
    set +f
  fi
  ninja -C "$dir" -j2 src/imageswitch >/dev/null
  "$dir/src/imageswitch" --version >/dev/null
  strip -o "$dir/imageswitch.stripped" "$dir/src/imageswitch"
  size=$(stat -c %s "$dir/imageswitch.stripped")
  [ -n "$base" ] || base=$size
  delta=$(awk -v s="$size" -v b="$base" 'BEGIN { printf "%+.1f %%", (s - b) * 100 / b }')
  rss=$(median_rss "$dir/src/imageswitch")
  # shellcheck disable=SC2016 # backquotes are Markdown here
  printf '| %s | `%s` | %.2f MB (%d bytes) | %s | %s KB |\n' "$name" "$opts" \
    "$(awk -v s="$size" 'BEGIN { print s / 1048576 }')" "$size" "$delta" "$rss" >>"$tmp"
  echo "size-variants: $name: $size bytes" >&2
done
mv "$tmp" "$out"
trap - EXIT
cat "$out"
