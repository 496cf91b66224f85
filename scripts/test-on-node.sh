#!/usr/bin/env bash
# Runs the whole test suite on another Node.js major version: the binary and
# headers come from the npm registry (node-linux-<arch>@<major>), and the
# addon is rebuilt for that version in a copy of the tree (an addon that uses
# the V8 API is per Node ABI). Usage: scripts/test-on-node.sh 22
# With a command after the version, runs that instead of the suite there:
#   scripts/test-on-node.sh 24 node --expose-gc bench/greenlet.js
set -euo pipefail
major=${1:?usage: test-on-node.sh <node major version> [command...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

arch=$(node -p process.arch)
(cd "$work" && npm pack --silent "node-linux-$arch@$major" >/dev/null)
mkdir "$work/node"
tar -xzf "$work"/node-linux-*.tgz -C "$work/node" --strip-components=1
# The workspace's node_modules links are relative, so a copy works as is.
cp -a "$root" "$work/tree"

export PATH="$work/node/bin:$PATH"
export npm_config_nodedir="$work/node"   # ~/.npmrc may point node-gyp at /usr
echo "== node $(node --version): rebuilding the addon"
(cd "$work/tree/native" && ./node_modules/.bin/node-gyp rebuild -j 2 --nodedir="$work/node" --stackless_werror=true >/dev/null)
cd "$work/tree"
if [ $# -gt 0 ]; then
  "$@"
else
  STACKLESS_TEST_LABEL="node$major" node scripts/test.js
fi
