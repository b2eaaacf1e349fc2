#!/usr/bin/env bash
# check-catalog.sh JOURNAL_CPP CATALOG: every MESSAGE_ID in JOURNAL_CPP has exactly one catalog
# entry with Subject/Defined-By/Documentation, the catalog has no other id, and journalctl
# compiles the catalog (into a temporary root) without a word of complaint.
set -euo pipefail
src=$1 catalog=$2
fail=0
src_ids=$(grep -oE '"[0-9a-f]{32}"' "$src" | tr -d '"' | sort -u)
cat_ids=$(sed -n 's/^-- \([0-9a-fA-F]\{32\}\)[[:space:]]*$/\1/p' "$catalog" | sort)
if [[ -z $src_ids ]]; then
  echo "Failed to find any MESSAGE_ID in '$src'"
  exit 1
fi
dups=$(uniq -d <<<"$cat_ids")
if [[ -n $dups ]]; then
  echo "Failed: catalog has duplicate entries: $dups"
  fail=1
fi
for id in $src_ids; do
  grep -qx "$id" <<<"$cat_ids" || { echo "Failed: MESSAGE_ID $id (in $src) has no catalog entry"; fail=1; }
done
for id in $(uniq <<<"$cat_ids"); do
  grep -qx "$id" <<<"$src_ids" || { echo "Failed: catalog entry $id is not used in $src"; fail=1; }
done
# Every entry has its headers.
awk '
  /^-- [0-9a-fA-F]{32}[[:space:]]*$/ { check(); id = $2; subj = by = doc = 0; next }
  id != "" && /^Subject: ./ { subj = 1 }
  id != "" && /^Defined-By: imageswitch$/ { by = 1 }
  id != "" && /^Documentation: man:imageswitch\(8\)$/ { doc = 1 }
  function check() {
    if (id == "") return
    if (!subj) { print "Failed: entry " id " has no Subject:"; bad = 1 }
    if (!by) { print "Failed: entry " id " has no \"Defined-By: imageswitch\""; bad = 1 }
    if (!doc) { print "Failed: entry " id " has no \"Documentation: man:imageswitch(8)\""; bad = 1 }
  }
  END { check(); exit bad }
' "$catalog" || fail=1
# journalctl's own parser: compile into a temporary root, list it back.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/usr/lib/systemd/catalog" "$tmp/var/lib/systemd/catalog"
cp "$catalog" "$tmp/usr/lib/systemd/catalog/imageswitch.catalog"
set +e
out=$(journalctl --root="$tmp" --update-catalog 2>&1)
rc=$?
set -e
if [[ $rc -ne 0 || -n $out ]]; then
  echo "Failed: journalctl --update-catalog (exit $rc):"
  echo "$out"
  fail=1
else
  listed=$(journalctl --root="$tmp" --list-catalog 2>&1 | awk '{print $1}' | sort)
  if [[ $listed != "$(uniq <<<"$cat_ids" | tr 'A-F' 'a-f')" ]]; then
    echo "Failed: journalctl lists other ids than the catalog defines:"
    echo "$listed"
    fail=1
  fi
fi
n=$(wc -w <<<"$src_ids")
[[ $fail -eq 0 ]] && echo "catalog: $n MESSAGE_IDs, all explained, none stale"
exit $fail
