#!/usr/bin/env bash
# Builds imageswitch in a few size-oriented configurations (own build dirs under
# build-size-*; the project's default options are untouched) and writes the stripped sizes to
# bench/SIZE-VARIANTS.md, which bench/bench.py appends to the results.
#   bash bench/size-variants.sh        (after tests/tools/install-deps.sh; ~3 min per variant)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")"
# name | meson options (werror=false: GCC 12 at -O3 reports a false -Wrestrict, see README)
variants=(
  "release|--buildtype=release"
  "release + LTO|--buildtype=release -Db_lto=true"
  "minsize (-Os)|--buildtype=minsize"
  "minsize + LTO + gc-sections|--buildtype=minsize -Db_lto=true -Dcpp_args=-ffunction-sections,-fdata-sections -Dcpp_link_args=-Wl,--gc-sections"
)
out=bench/SIZE-VARIANTS.md
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  echo "| variant | meson options | stripped | vs release |"
  echo "|---|---|---|---|"
} >"$tmp"
base=
i=0
for v in "${variants[@]}"; do
  name=${v%%|*}
  opts=${v#*|}
  dir=build-size-$i
  i=$((i + 1))
  if [ ! -f "$dir/build.ninja" ]; then
    # shellcheck disable=SC2086
    meson setup "$dir" $opts -Dtests=false -Dwerror=false >/dev/null
  fi
  ninja -C "$dir" -j2 src/imageswitch >/dev/null
  "$dir/src/imageswitch" --version >/dev/null
  strip -o "$dir/imageswitch.stripped" "$dir/src/imageswitch"
  size=$(stat -c %s "$dir/imageswitch.stripped")
  [ -n "$base" ] || base=$size
  delta=$(awk -v s="$size" -v b="$base" 'BEGIN { printf "%+.1f %%", (s - b) * 100 / b }')
  printf '| %s | `%s` | %.2f MB (%d bytes) | %s |\n' "$name" "$opts" \
    "$(awk -v s="$size" 'BEGIN { print s / 1048576 }')" "$size" "$delta" >>"$tmp"
  echo "size-variants: $name: $size bytes" >&2
done
mv "$tmp" "$out"
trap - EXIT
cat "$out"
