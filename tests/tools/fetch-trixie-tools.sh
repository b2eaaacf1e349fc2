#!/usr/bin/env bash
# Downloads Debian 13 (trixie) cosign (and skopeo with its libraries) into tests/.tools without
# touching the system's apt configuration: a temporary sources list and private state/cache dirs.
# Idempotent: does nothing when tests/.tools/usr/bin/cosign already runs. Exit 0 on success.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dest=${IMAGESWITCH_TOOLS_DIR:-$root/tests/.tools}
if [[ -x $dest/usr/bin/cosign ]] && "$dest/usr/bin/cosign" version >/dev/null 2>&1; then
  exit 0
fi
mirror=http://deb.debian.org/debian
src=/etc/apt/sources.list.d/debian.sources
if [[ -r $src ]]; then
  m=$(awk '/^URIs:/{print $2; exit}' "$src")
  [[ -n $m ]] && mirror=$m
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$dest"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" \
  >"$work/sources.list"
opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
  -o "Dir::State::status=/var/lib/dpkg/status" -o "APT::Sandbox::User=root"
  -o "Acquire::Retries=3" -o "Acquire::http::Timeout=30")
timeout 300 apt-get "${opts[@]}" update -qq
cd "$work"
timeout 300 apt-get "${opts[@]}" download cosign
# skopeo is optional (needs trixie's glibc, run through the unpacked loader).
timeout 300 apt-get "${opts[@]}" download skopeo libc6 libgpgme11t64 libassuan9 libgpg-error0 \
  libdevmapper1.02.1 libsubid5 2>/dev/null || echo "fetch-trixie-tools: skopeo not fetched (optional)" >&2
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$dest"
done
"$dest/usr/bin/cosign" version >/dev/null 2>&1
echo "fetch-trixie-tools: cosign ready in $dest/usr/bin/cosign" >&2
