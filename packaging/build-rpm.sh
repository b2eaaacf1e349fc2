#!/usr/bin/env bash
# build-rpm.sh SOURCE_ROOT: builds the RPMs of packaging/imageswitch.spec from a tarball of the
# source tree with rpmbuild (--nodeps: the build dependencies are Debian packages here), then
# runs rpmlint with packaging/rpmlintrc on the spec and every built package. Any finding left
# after the rc file's filters fails the test.
set -euo pipefail
src=$(readlink -f "$1")
spec=$src/packaging/imageswitch.spec
rc=$src/packaging/rpmlintrc
name=imageswitch
version=$(sed -n 's/^Version:[[:space:]]*//p' "$spec")
tmp=$(mktemp -d)
# KEEP_RPM_TOPDIR=1 keeps the rpmbuild tree (and its log) for a look afterwards.
if [[ -z ${KEEP_RPM_TOPDIR:-} ]]; then trap 'rm -rf "$tmp"' EXIT; else echo "topdir: $tmp"; fi
mkdir -p "$tmp"/{SOURCES,SPECS,BUILD,RPMS,SRPMS,home}
# The source tree as it is (committed or not), without VCS data and without meson build dirs.
# tests/.tools (downloaded cosign/skopeo) is not source.
tar -C "$(dirname "$src")" --exclude-vcs --exclude-tag-all=build.ninja \
  --exclude="$(basename "$src")/tests/.tools" \
  --transform "s|^$(basename "$src")|$name-$version|" \
  -czf "$tmp/SOURCES/$name-$version.tar.gz" "$(basename "$src")"
echo "tarball: $(tar -tzf "$tmp/SOURCES/$name-$version.tar.gz" | wc -l) entries"
# Debian's brp-compress uses bash's `read -d` under #!/bin/sh: run it with bash.
# The package's own %check would run the test suite again (meson test already does): skip it.
if ! rpmbuild -bb --nodeps --without check \
  --define "_topdir $tmp" --define "_smp_build_ncpus 2" \
  --define "__brp_compress /bin/bash %{_rpmconfigdir}/brp-compress %{?_prefix}" \
  "$spec" >"$tmp/rpmbuild.log" 2>&1; then
  tail -n 60 "$tmp/rpmbuild.log"
  echo "Failed: rpmbuild -bb $spec (last lines of its log above)"
  exit 1
fi
mapfile -t rpms < <(find "$tmp/RPMS" -name '*.rpm' | sort)
if ((${#rpms[@]} < 2)); then
  echo "Failed: expected the main and the selinux package, got: ${rpms[*]:-none}"
  exit 1
fi
for r in "${rpms[@]}"; do
  echo "built $(basename "$r"):"
  rpm -qpl "$r" | sed 's/^/  /'
done
# Contents the install story relies on.
need=(/usr/bin/imageswitch /usr/lib/systemd/system/imageswitch.service
  /usr/lib/systemd/system/imageswitch.path /usr/lib/systemd/system/imageswitch.timer
  /usr/lib/systemd/catalog/imageswitch.catalog /usr/lib/tmpfiles.d/imageswitch.conf
  /usr/share/selinux/packages/imageswitch.pp /usr/share/man/man8/imageswitch.8.gz)
all=$(for r in "${rpms[@]}"; do rpm -qpl "$r"; done)
for f in "${need[@]}"; do
  grep -qx "$f" <<<"$all" || { echo "Failed: no package contains $f"; exit 1; }
done
exec_start=$(rpm2cpio "$(printf '%s\n' "${rpms[@]}" | grep -v -e selinux -e debug | head -1)" |
  (cd "$tmp" && cpio -i --quiet --to-stdout ./usr/lib/systemd/system/imageswitch.service) |
  sed -n 's/^ExecStart=//p')
if [[ $exec_start != "/usr/bin/imageswitch run" ]]; then
  echo "Failed: packaged imageswitch.service has ExecStart=$exec_start"
  exit 1
fi
# debuginfo packages are not linted (rpmlint's checks misfire on detached debug files).
lint=()
for r in "${rpms[@]}"; do [[ $r == *-debuginfo-* || $r == *-debugsource-* ]] || lint+=("$r"); done
set +e
out=$(HOME=$tmp/home rpmlint -r "$rc" "$spec" "${lint[@]}" 2>&1)
set -e
echo "$out"
summary=$(grep -E '[0-9]+ errors?, [0-9]+ warnings?' <<<"$out" | tail -1)
if [[ -z $summary ]]; then
  echo "Failed: no rpmlint summary line"
  exit 1
fi
if ! grep -qE '\b0 errors, 0 warnings' <<<"$summary"; then
  echo "Failed: rpmlint findings remain ($summary)"
  exit 1
fi
echo "rpm: ${#rpms[@]} packages built, rpmlint clean"
