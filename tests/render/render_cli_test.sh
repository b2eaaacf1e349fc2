#!/usr/bin/env bash
# imageswitch-render as a command: --check exit codes and messages, renders of the fixtures that
# systemd-analyze verify accepts (any output is a failure: verify exits 0 on unknown keys), every
# render.json path present in the tree, and two renders byte-identical (contents, modes, times).
# Usage: render_cli_test.sh SOURCE_ROOT RENDER_BINARY. Ends with "N passed, N failed".
set -uo pipefail
root=$1
render=$2
fixtures=$root/tests/render/fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
# expect WHAT CONDITION...: ok when the condition (a command) succeeds.
expect() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

# --check: 0 and "OK" for usable configs; 2 and one line per problem for refused ones.
for f in full mco-worker; do
  if out=$("$render" --check "$fixtures/$f.yaml") && [[ $out == *": OK: "* ]]; then ok "check $f"
  else fail "check $f: $out"; fi
done
declare -A expected=([mco-test-base]=2 [refuse-remote]=7 [refuse-disks]=4 [refuse-var]=4
                     [refuse-passwd]=3 [refuse-version]=2 [refuse-unknown]=3 [refuse-paths]=8
                     [refuse-values]=12)
for f in "${!expected[@]}"; do
  "$render" --check "$fixtures/$f.yaml" >/dev/null 2>"$work/err"; rc=$?
  lines=$(grep -c "^$fixtures/$f.yaml: " "$work/err")
  if [[ $rc == 2 && $lines == "${expected[$f]}" ]] && grep -q "${expected[$f]} problem" "$work/err"; then
    ok "check $f refused with ${expected[$f]} problems"
  else fail "check $f: rc=$rc, $lines problem lines (want ${expected[$f]})"; cat "$work/err"; fi
done
"$render" -o "$work/never" "$fixtures/refuse-var.yaml" 2>/dev/null
expect "a refused config exits 2 and writes nothing" test $? = 2 -a ! -e "$work/never"
"$render" --bogus 2>/dev/null
expect "bad usage exits 2" test $? = 2
"$render" --arch mips -o "$work/x" "$fixtures/full.yaml" 2>/dev/null
expect "unknown --arch exits 2" test $? = 2
"$render" --check "$work/missing.yaml" 2>/dev/null
expect "a missing input exits 2" test $? = 2
"$render" -o "$work/a" "$fixtures/full.yaml" >/dev/null && "$render" -o "$work/a" "$fixtures/full.yaml" 2>/dev/null
expect "a non-empty output directory exits 2" test $? = 2

# verify_units DIR: systemd-analyze verify each unit with contents, in a root made of the tree,
# the host's system units (sysinit.target & co.) and stubs for the executables the base image
# would provide.
verify_units() {
  local dir=$1 vroot=$work/vroot unit exe output=""
  rm -rf "$vroot"; mkdir -p "$vroot/usr/lib/systemd"
  cp -a /usr/lib/systemd/system "$vroot/usr/lib/systemd/"
  cp -a "$dir/tree/." "$vroot/"
  grep -shoE '^Exec[A-Za-z]*=[-@:+!|]*/[^ ]*' "$vroot"/etc/systemd/system/*.* |
    sed 's/^[^=]*=[-@:+!|]*//' | sort -u | while read -r exe; do
      [[ -e $vroot$exe ]] && continue
      mkdir -p "$(dirname "$vroot$exe")"; printf '#!/bin/sh\n' >"$vroot$exe"; chmod 0755 "$vroot$exe"
    done
  for unit in "$vroot"/etc/systemd/system/*.*; do
    [[ -f $unit && $unit != *.d ]] || continue
    output+=$(systemd-analyze verify --man=no --root="$vroot" "/etc/systemd/system/${unit##*/}" 2>&1)
  done
  [[ -z $output ]] || { echo "$output"; return 1; }
}

for f in full mco-worker; do
  if ! "$render" -o "$work/$f.1" "$fixtures/$f.yaml" >/dev/null ||
     ! "$render" -o "$work/$f.2" "$fixtures/$f.yaml" >/dev/null; then
    fail "render $f"; continue
  fi
  listing() { (cd "$1" && find . -printf '%p %y %m %T@ %l\n' | sort && find . -type f -exec sha256sum {} + | sort); }
  if diff <(listing "$work/$f.1") <(listing "$work/$f.2") >/dev/null && [[ $(listing "$work/$f.1" | wc -l) -gt 10 ]]; then
    ok "render $f twice: identical bytes, modes and times"
  else fail "render $f twice differs"; fi
  missing=$(/usr/bin/python3 - "$work/$f.1" <<'PY'
import json, os, sys
d = sys.argv[1]
doc = json.load(open(os.path.join(d, "render.json")))
listed = {p["path"] for p in doc["paths"] if p["type"] != "directory"}
bad = [p["path"] for p in doc["paths"] if p["type"] == "directory"
       and not os.path.isdir(os.path.join(d, "tree", p["path"][1:]))]
tree = os.path.join(d, "tree")
on_disk = set()
for base, dirs, files in os.walk(tree):
    for n in files + [x for x in dirs if os.path.islink(os.path.join(base, x))]:
        on_disk.add("/" + os.path.relpath(os.path.join(base, n), tree))
print(" ".join(sorted(listed ^ on_disk) + bad))
PY
)
  expect "render.json of $f lists every path of its tree${missing:+ (not: $missing)}" test -z "$missing"
  if verify_units "$work/$f.1"; then ok "systemd-analyze verify: units of $f"; else fail "systemd-analyze verify: units of $f"; fi
done
# The verify step can fail: a unit with an unknown key must be reported.
cat >"$work/badunit.json" <<'JSON'
{"apiVersion": "machineconfiguration.openshift.io/v1", "kind": "MachineConfig",
 "metadata": {"name": "bad-unit"}, "spec": {"osImageURL": "localhost/base",
 "config": {"ignition": {"version": "3.4.0"}, "systemd": {"units": [{"name": "bad.service",
 "contents": "[Service]\nExecStart=/bin/true\nBogusKey=1\n"}]}}}}
JSON
"$render" -o "$work/badunit" "$work/badunit.json" >/dev/null
if verify_units "$work/badunit" >/dev/null; then fail "verify missed a unit with an unknown key"
else ok "systemd-analyze verify reports a unit with an unknown key"; fi
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
