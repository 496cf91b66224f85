#!/usr/bin/env bash
# Builds everything a release needs and writes one installable tarball per
# public package into release/: the TypeScript, the native core's prebuilt
# binaries (scripts/prebuild.sh, every supported Node ABI and platform) and
# `pnpm pack` of each package, which rewrites workspace: ranges to versions.
#
#   scripts/release-pack.sh                  everything
#   scripts/release-pack.sh --keep-prebuilds uses native/prebuilds as built
#                                            (fails if one is missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
packages=(native packages/greenlet packages/tasklets packages/channels packages/generator)
expected_prebuilds=(
  linux-x64/node.abi115.glibc.node linux-x64/node.abi127.glibc.node
  linux-x64/node.abi137.glibc.node linux-x64/node.abi147.glibc.node
  linux-arm64/node.abi127.glibc.node linux-arm64/node.abi137.glibc.node
  linux-arm64/node.abi147.glibc.node
)

if [ "${1:-}" != --keep-prebuilds ]; then
  rm -rf native/prebuilds
  bash scripts/prebuild.sh
fi
for file in "${expected_prebuilds[@]}"; do
  [ -f "native/prebuilds/$file" ] || { echo "release-pack: native/prebuilds/$file is missing" >&2; exit 1; }
done

echo "== building the TypeScript packages"
for package in "${packages[@]:1}"; do
  (cd "$package" && pnpm --silent run build)
done

rm -rf release
mkdir release
for package in "${packages[@]}"; do
  (cd "$package" && pnpm pack --pack-destination "$root/release" >/dev/null)
done
echo "== release/"
(cd release && for tarball in *.tgz; do
  printf '   %-36s %5s KiB, %3s files\n' "$tarball" "$(( $(stat -c %s "$tarball") / 1024 ))" "$(tar -tzf "$tarball" | wc -l)"
done)
