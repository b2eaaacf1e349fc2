#!/usr/bin/env bash
# security-score.sh BINARY SERVICE [MAX]: `systemd-analyze security --offline=true` of SERVICE;
# fails when the overall exposure level is above MAX (default 2.5, on the 0–10 scale).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
. "$here/unit-root.sh"
binary=$1 service=$2 max=${3:-2.5}
name=$(basename "$service")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make_unit_root "$tmp/root" "$binary" "$service"
set +e
out=$(cd "$tmp/root/etc/systemd/system" &&
  systemd-analyze security --offline=true --root="$tmp/root" "$name" 2>&1)
set -e
score=$(sed -n "s/.*Overall exposure level for ${name//./\\.}: \([0-9]*\.[0-9]*\).*/\1/p" <<<"$out")
if [[ -z $score ]]; then
  echo "Failed to find 'Overall exposure level for $name' in the output of systemd-analyze security:"
  echo "$out"
  exit 1
fi
# Findings that still cost exposure, for the log.
grep '✗' <<<"$out" || true
echo "Overall exposure level for $name: $score (maximum $max)"
if ! awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
  echo "Failed: exposure $score is above $max; harden $name"
  exit 1
fi
