#!/usr/bin/env bash
# Sourced by the unit checks: make_unit_root DIR BINARY UNIT... builds a throw-away root with the
# host's systemd units (sysinit.target, …), the built binary at the unit's ExecStart path and
# our units in /etc/systemd/system, so systemd-analyze --root can check them without PID 1.

make_unit_root() {
  local root=$1 binary=$2
  shift 2
  local hostunits=""
  for d in /usr/lib/systemd/system /lib/systemd/system; do
    if [[ -e $d/sysinit.target ]]; then hostunits=$d; break; fi
  done
  if [[ -z $hostunits ]]; then
    echo "Failed to find the host's systemd units (sysinit.target); install systemd" >&2
    return 1
  fi
  mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system"
  cp -a "$hostunits" "$root/usr/lib/systemd/"
  local unit exec
  for unit in "$@"; do
    cp "$unit" "$root/etc/systemd/system/"
    exec=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
    if [[ -n $exec ]]; then
      mkdir -p "$root$(dirname "$exec")"
      cp "$binary" "$root$exec"
    fi
  done
}
