#!/usr/bin/env bash
# verify-units.sh [--dropin FILE] BINARY UNIT...: `systemd-analyze verify` of the units in a
# temporary root, with FILE installed as a drop-in of the first unit when given.
# systemd-analyze exits 0 on unknown keys and bad values, so ANY output is a failure.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
. "$here/unit-root.sh"
dropin=""
if [[ $1 == --dropin ]]; then dropin=$2; shift 2; fi
binary=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make_unit_root "$tmp/root" "$binary" "$@"
if [[ -n $dropin ]]; then
  d=$tmp/root/etc/systemd/system/$(basename "$1").d
  mkdir -p "$d"
  cp "$dropin" "$d/"
fi
names=()
for unit in "$@"; do names+=("$(basename "$unit")"); done
set +e
out=$(cd "$tmp/root/etc/systemd/system" &&
  systemd-analyze verify --man=no --root="$tmp/root" "${names[@]}" 2>&1)
rc=$?
set -e
if [[ $rc -ne 0 || -n $out ]]; then
  echo "systemd-analyze verify failed (exit $rc) for ${names[*]}:"
  echo "$out"
  exit 1
fi
echo "systemd-analyze verify: ${names[*]}${dropin:+ with drop-in $(basename "$dropin")} clean"
