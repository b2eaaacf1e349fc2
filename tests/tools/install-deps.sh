#!/usr/bin/env bash
# Installs everything the build, the tests and the node simulation need on Debian 12 (as root).
# Idempotent; quiet unless something fails.
set -euo pipefail
packages=(
  meson ninja-build pkg-config g++ clang libclang-rt-14-dev clang-format
  libsystemd-dev libcurl4-openssl-dev nlohmann-json3-dev libssl-dev doctest-dev
  libtomlplusplus-dev libyaml-cpp-dev
  dbus systemd python3 python3-dbus python3-gi openssl curl ca-certificates
  docker-registry
  selinux-policy-dev checkpolicy semodule-utils rpm rpmlint setools
  groff-base man-db elfutils cpio file
  skopeo time tinyproxy
  zlib1g-dev buildah busybox-static
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
