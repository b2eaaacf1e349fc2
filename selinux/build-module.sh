#!/usr/bin/env bash
# build-module.sh OUTPUT.pp TE FC IF: builds the policy package with the distribution's
# policy development Makefile in a private work directory (it writes tmp/ beside its inputs).
set -euo pipefail
out=$1 te=$2 fc=$3 if=$4
makefile=${SELINUX_DEVEL_MAKEFILE:-/usr/share/selinux/devel/Makefile}
if [[ ! -r $makefile ]]; then
  echo "Failed to find '$makefile'; install selinux-policy-dev (Debian) or selinux-policy-devel" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$te" "$work/imageswitch.te"
cp "$fc" "$work/imageswitch.fc"
cp "$if" "$work/imageswitch.if"
# Keep the m4 output (tmp/imageswitch.tmp) next to the package when asked: the check reads it.
make -s -C "$work" -f "$makefile" imageswitch.pp
cp "$work/imageswitch.pp" "$out"
if [[ -n ${KEEP_EXPANDED:-} ]]; then cp "$work/tmp/imageswitch.tmp" "$KEEP_EXPANDED"; fi
