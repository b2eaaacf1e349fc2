#!/usr/bin/env bash
# Builds a rendered Containerfile for real with buildah (vfs storage in a private directory,
# --isolation chroot) FROM a tiny base made here from busybox-static, whose systemctl, rpm-ostree,
# ostree and bootc are stubs that log their arguments; then checks the image's files, modes,
# owners, links, that existing directories kept their mode, and the logged systemctl, kernel,
# extension and lint steps. Usage: render_buildah_test.sh SOURCE_ROOT RENDER_BINARY.
# Exit 77 (skip) with the reason when buildah cannot run here. Ends with "N passed, N failed".
set -uo pipefail
root=$1
render=$2
busybox=/bin/busybox
command -v buildah >/dev/null || { echo "SKIP: buildah not installed (Debian package buildah)"; exit 77; }
if ! [[ -x $busybox ]] || ! $busybox --list | grep -qx stat; then
  echo "SKIP: busybox-static not installed"; exit 77
fi
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root (buildah --isolation chroot with vfs storage)"; exit 77; }
work=$(mktemp -d)
B=(buildah --root "$work/storage" --runroot "$work/runroot" --storage-driver vfs)
cleanup() { "${B[@]}" rm --all >/dev/null 2>&1; "${B[@]}" rmi --all --force >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
passed=0
failed=0
check() { local what=$1; shift; if "$@"; then echo "ok   $what"; passed=$((passed + 1)); else echo "FAIL $what"; failed=$((failed + 1)); fi; }

# The tiny base: busybox with its applets, root and core (1000) users, /etc/ssh 0700 already there,
# and stubs for the tools of a real OS image.
base=$work/base
mkdir -p "$base/bin" "$base/usr/bin" "$base/usr/share" "$base/etc/ssh" "$base/tmp"
cp $busybox "$base/bin/busybox"
for applet in $($busybox --list); do [[ -e $base/bin/$applet ]] || ln -s busybox "$base/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\ncore:x:1000:1000:core:/home/core:/bin/sh\n' >"$base/etc/passwd"
printf 'root:x:0:\ncore:x:1000:\n' >"$base/etc/group"
chmod 0700 "$base/etc/ssh"
for stub in systemctl rpm-ostree ostree bootc; do
  printf '#!/bin/sh\necho "%s $*" >>/usr/share/stub-calls.log\n' "$stub" >"$base/usr/bin/$stub"
  chmod 0755 "$base/usr/bin/$stub"
done
if ! ctr=$("${B[@]}" from scratch 2>"$work/err"); then
  echo "SKIP: buildah cannot create a container here: $(head -1 "$work/err")"; exit 77
fi
if ! "${B[@]}" copy "$ctr" "$base/" / >/dev/null ||
   ! "${B[@]}" commit -q "$ctr" localhost/render-tinybase >/dev/null; then
  echo "SKIP: buildah cannot commit an image here"; exit 77
fi
"${B[@]}" rm "$ctr" >/dev/null

"$render" --from localhost/render-tinybase -o "$work/ctx" "$root/tests/render/fixtures/full.yaml" >/dev/null
if ! "${B[@]}" bud --isolation chroot -f "$work/ctx/Containerfile" -t localhost/render-built "$work/ctx" >"$work/build.log" 2>&1; then
  tail -20 "$work/build.log"; echo "0 passed, 1 failed"; exit 1
fi
ctr=$("${B[@]}" from localhost/render-built)
mnt=$("${B[@]}" mount "$ctr")
meta() { stat -c '%a %u:%g' "$mnt$1"; }
check "file contents after base64 + gunzip" test "$(cat "$mnt/etc/sysctl.d/90-somaxconn.conf")" = "net.core.somaxconn = 4096"
check "contents + append fragments" test "$(cat "$mnt/etc/append.conf")" = "$(printf 'first\nsecond\nchrony gzip')"
check "file owned by name core, mode 0640" test "$(meta /etc/mc-dir/owned.conf)" = "640 1000:1000"
check "directory group core, mode 0750" test "$(meta /etc/mc-dir)" = "750 0:1000"
check "directory mode 0700" test "$(meta /etc/sec.d)" = "700 0:0"
check "executable 0755" test "$(meta /usr/local/bin/hello)" = "755 0:0"
check "0600 file" test "$(meta /etc/ssh/sshd_config.d/40-mc.conf)" = "600 0:0"
check "existing /etc/ssh kept its mode 0700" test "$(meta /etc/ssh)" = "700 0:0"
check "symlink target and owner" test "$(readlink "$mnt/etc/mc-localtime") $(stat -c %u:%g "$mnt/etc/mc-localtime")" = "/usr/share/zoneinfo/UTC 1000:1000"
check "relative symlink" test "$(readlink "$mnt/usr/local/bin/hi")" = "hello"
check "unit and drop-in" grep -q '^Environment=GREETING=hi$' "$mnt/etc/systemd/system/hello.service.d/20-env.conf"
check "kargs.d file" grep -q '^kargs = \["nosmt", "systemd.unified_cgroup_hierarchy=1", "fips=1"\]$' "$mnt/usr/lib/bootc/kargs.d/10-machineconfig.toml"
check "the build context is not left in the image" test ! -e "$mnt/run/imageswitch-render/tree"
log=$mnt/usr/share/stub-calls.log
check "systemctl enable/disable/mask/preset ran" grep -qx 'systemctl enable hello.service' "$log"
check "systemctl mask ran" grep -qx 'systemctl mask debug-shell.service' "$log"
check "kernel swap ran" grep -q '^rpm-ostree override remove kernel kernel-core .*--install kernel-rt-core' "$log"
check "extension packages installed" grep -qx 'rpm-ostree install krb5-workstation libkadm5 usbguard' "$log"
check "bootc container lint ran last" test "$(tail -1 "$log")" = "bootc container lint"
"${B[@]}" umount "$ctr" >/dev/null
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
