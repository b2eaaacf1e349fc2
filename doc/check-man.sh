#!/usr/bin/env bash
# check-man.sh PAGE JOURNAL_CPP CONFIG_CPP: renders the man page with groff and man, failing on
# any warning, and checks it documents every section, MESSAGE_ID and configuration key.
set -euo pipefail
page=$1 journal=$2 config=$3
fail=0
out=$(groff -t -man -Tutf8 -ww -z "$page" 2>&1) || true
if [[ -n $out ]]; then echo "Failed: groff -man -ww reports:"; echo "$out"; fail=1; fi
for width in 80 72; do
  out=$(MANWIDTH=$width LC_ALL=C.UTF-8 MAN_KEEP_STDERR=1 man --warnings=w -l "$page" 2>&1 >/dev/null) || true
  if [[ -n $out ]]; then echo "Failed: man -l at width $width reports:"; echo "$out"; fail=1; fi
done
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" CONFIGURATION FILES JOURNAL "SEE ALSO"; do
  grep -q "^\.SH \"\?$section\"\?$" "$page" || { echo "Failed: no section '$section'"; fail=1; }
done
for id in $(grep -oE '"[0-9a-f]{32}"' "$journal" | tr -d '"' | sort -u); do
  grep -q "$id" "$page" || { echo "Failed: MESSAGE_ID $id is not documented"; fail=1; }
done
keys=$(grep -oE '\b(string|one_of|integer|boolean|object)\("[a-z_]+"' "$config" | sed 's/.*("//;s/"//' | sort -u)
if [[ -z $keys ]]; then echo "Failed to find configuration keys in '$config'"; fail=1; fi
for key in $keys; do
  grep -q "^\.B $key$" "$page" || { echo "Failed: configuration key '$key' is not documented"; fail=1; }
done
for code in 0 1 2 75; do
  grep -q "^\.B $code$" "$page" || { echo "Failed: exit status $code is not documented"; fail=1; }
done
[[ $fail -eq 0 ]] && echo "man page: renders without warnings; $(wc -w <<<"$keys") config keys, all ids, exit codes documented"
exit $fail
