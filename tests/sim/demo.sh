#!/usr/bin/env bash
# The README's first command: installs what it needs, builds the agent (a test build: the
# simulation replaces the boot id and shortens network timeouts through IMAGESWITCH_* variables
# that only -Dfailpoints=true compiles in), brings up a simulated node and runs one update step
# by step as an admin sees it, then tears everything down. Debian 12, as root.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/tools/install-deps.sh
if [[ ! -d build ]]; then
  meson setup build -Dfailpoints=true >/dev/null
else
  meson configure build -Dfailpoints=true >/dev/null
fi
echo "==> Building build/src/imageswitch"
ninja -C build -j "$(nproc)" src/imageswitch >/dev/null
exec /usr/bin/python3 tests/sim/demo.py build/src/imageswitch
