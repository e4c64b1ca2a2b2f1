#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (playwright-core never downloads a browser here): install it
# from apt when it is missing, and fail loudly when that is impossible.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium with apt-get" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "ensure-chromium: not root and no sudo: install it yourself (apt-get install chromium)" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt run (a parallel CI job) may hold the lock: wait for it rather than fail.
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 || { echo "ensure-chromium: apt-get update failed" >&2; exit 1; }
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >&2 || { echo "ensure-chromium: apt-get install chromium failed" >&2; exit 1; }
if [ ! -x "$CHROMIUM" ]; then echo "ensure-chromium: installed, yet $CHROMIUM is still missing" >&2; exit 1; fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed" >&2
