#!/usr/bin/env bash
# Installs the release tarballs as a user would, with no compiler on PATH:
#   1. scripts/release-pack.sh: prebuilds for every Node ABI and platform, one
#      tarball per package in release/; then checks what the tarballs hold
#      (install-smoke/check-tarballs.mjs, publint, arethetypeswrong);
#   2. npm: a fresh project installs the five tarballs and runs a smoke program
#      (scripts/install-smoke/smoke.mjs: a greenlet switch, tasklets over a
#      channel, a deep generator) on Node 20, 22, 24 and 26, and on Node 24
#      linux-arm64 under qemu-aarch64;
#   3. a binary built for another Node major, loaded under Node 22, 20 and 26:
#      a catchable error naming both versions, not a dead process (and with
#      the prebuilds beside it, the one for the running Node);
#   4. pnpm 10: a fresh project installs them without approving any build
#      script, and the smoke program runs.
# Node 22, 24 and 26 (and arm64 24) come from the npm registry, like
# test-on-node.sh's. Installs use npm's cache first (--prefer-offline).
#
#   scripts/test-install.sh                  everything
#   scripts/test-install.sh --keep-prebuilds packs native/prebuilds as built
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
smoke="$root/scripts/install-smoke"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test-install: $*" >&2; exit 1; }
seconds() { echo "$(( $(date +%s%N) / 1000000 ))"; }

# 1. The tarballs.
bash "$root/scripts/release-pack.sh" "$@"
tarballs=("$root"/release/*.tgz)
[ ${#tarballs[@]} -eq 5 ] || fail "expected 5 tarballs in release/, found ${#tarballs[@]}"
for tarball in "${tarballs[@]}"; do
  mkdir "$work/unpacked-$(basename "$tarball" .tgz)"
  tar -xzf "$tarball" -C "$work/unpacked-$(basename "$tarball" .tgz)"
done
echo "== checking the tarballs"
node "$smoke/check-tarballs.mjs" "$work"/unpacked-*
# publint (package.json against the files) and arethetypeswrong (the types
# resolve under node16 and bundler resolution; ESM only, so CommonJS's
# require() is not asked for), both strict.
for tarball in "${tarballs[@]}"; do
  "$root/node_modules/.bin/publint" run --strict "$tarball" >"$work/publint.log" 2>&1 ||
    { cat "$work/publint.log" >&2; fail "publint: $(basename "$tarball")"; }
  "$root/node_modules/.bin/attw" "$tarball" --profile esm-only --format ascii >"$work/attw.log" 2>&1 ||
    { cat "$work/attw.log" >&2; fail "arethetypeswrong: $(basename "$tarball")"; }
done
echo "   publint and arethetypeswrong: no problems in the five tarballs"

# Node.js binaries for the other majors, and for arm64.
fetch_node() { # arch major -> prints the node binary's path
  local dir="$work/node-$1-$2"
  mkdir "$dir"
  (cd "$work" && npm pack --silent "node-linux-$1@$2" >/dev/null)
  tar -xzf "$work"/node-linux-"$1"-"$2".*.tgz -C "$dir" --strip-components=1 --wildcards '*/bin/node'
  echo "$dir/bin/node"
}
declare -A node_binary=([20]="$(command -v node)")
[ "$("${node_binary[20]}" -p 'process.versions.node.split(".")[0]')" = 20 ] || fail "the node on PATH is not Node 20"
for major in 22 24 26; do node_binary[$major]=$(fetch_node x64 "$major"); done
node_arm64=$(fetch_node arm64 24)
command -v qemu-aarch64 >/dev/null 2>&1 || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user >"$work/apt.log" 2>&1 ||
    { cat "$work/apt.log" >&2; fail "apt-get install qemu-user failed"; }
}
[ -d /usr/aarch64-linux-gnu/lib ] || fail "no arm64 C++ runtime in /usr/aarch64-linux-gnu (scripts/prebuild.sh installs it)"

# PATH for the installs: node, npm, pnpm and sh, and no compiler, make or python.
tools="$work/no-compiler-bin"
mkdir "$tools"
ln -s "${node_binary[20]}" "$tools/node"
ln -s "$(readlink -f /bin/sh)" "$tools/sh"   # npm and pnpm run scripts through sh
ln -s "$(readlink -f "$(command -v npm)")" "$tools/npm"
ln -s "$(readlink -f "$(command -v pnpm)")" "$tools/pnpm"
for tool in g++ c++ cc gcc clang++ make python3; do
  if PATH="$tools" command -v "$tool" >/dev/null 2>&1; then fail "$tool is on the no-compiler PATH"; fi
done

new_project() { # dir
  mkdir "$1"
  printf '{ "name": "stackless-install-test", "private": true, "type": "module" }\n' >"$1/package.json"
  cp "$smoke/smoke.mjs" "$smoke/load-error.mjs" "$1/"
}

# 2. npm.
project="$work/npm-project"
new_project "$project"
echo "== npm $(PATH="$tools" npm --version): installing the five tarballs with no compiler on PATH"
start=$(seconds)
(cd "$project" && PATH="$tools" npm install --no-audit --no-fund --prefer-offline --loglevel=error "${tarballs[@]}") ||
  fail "npm install failed"
echo "   installed in $(( $(seconds) - start )) ms"
[ ! -e "$project/node_modules/@stackless/native/build" ] || fail "npm built the native core instead of using a prebuild"
for major in 20 22 24 26; do
  (cd "$project" && PATH="$tools" "${node_binary[$major]}" smoke.mjs) || fail "the smoke program failed on Node $major"
done
(cd "$project" && QEMU_LD_PREFIX=/usr/aarch64-linux-gnu qemu-aarch64 "$node_arm64" smoke.mjs) ||
  fail "the smoke program failed on Node 24 linux-arm64 (qemu)"

# 3. A binary built for another major, as if built from source under it
#    (node-gyp-build prefers build/Release to the prebuilds). With the
#    prebuilds moved away, loading must throw a catchable error naming both
#    versions; with them there, the prebuild for the running Node wins.
native="$project/node_modules/@stackless/native"
mismatch() { # built-for-abi built-for-major running-major
  mkdir -p "$native/build/Release"
  cp "$native/prebuilds/linux-x64/node.abi$1.glibc.node" "$native/build/Release/stackless.node"
  mv "$native/prebuilds" "$work/prebuilds-aside"
  local output status=0
  output=$(cd "$project" && "${node_binary[$3]}" load-error.mjs 2>&1) || status=$?
  mv "$work/prebuilds-aside" "$native/prebuilds"
  [ "$status" -eq 0 ] || fail "Node $3 with a Node $2 binary exited with $status: $output"
  echo "$output" | grep -Eq "^caught: stackless: .*was built for Node $2\.[0-9.]+ \(ABI $1\), but this is Node $3\." ||
    fail "Node $3 with a Node $2 binary: unexpected output: $output"
  echo "   Node $3 with a Node $2 binary: ${output#caught: }" | cut -c1-240
  output=$(cd "$project" && "${node_binary[$3]}" load-error.mjs 2>&1) || true
  [ "$output" = loaded ] || fail "Node $3 with a stale Node $2 build beside the prebuilds: $output"
  rm -rf "$native/build"
}
echo "== a binary built for another Node major"
mismatch 115 20 22
mismatch 127 22 20
mismatch 137 24 26
echo "   beside the prebuilds, each time the prebuild for the running Node loaded instead"

# 4. pnpm 10, approving nothing. The tarballs' dependencies on each other are
#    pointed at the tarballs (a registry would serve them once published).
project="$work/pnpm-project"
new_project "$project"
node -e '
  const [file, ...tarballs] = process.argv.slice(1);
  const manifest = JSON.parse(require("fs").readFileSync(file, "utf8"));
  const links = {};
  for (const tarball of tarballs) {
    const name = "@stackless/" + require("path").basename(tarball).replace(/^stackless-(.*)-[\d.]+\.tgz$/, "$1");
    links[name] = "file:" + tarball;
  }
  manifest.dependencies = links;
  manifest.pnpm = { overrides: links };
  require("fs").writeFileSync(file, JSON.stringify(manifest, null, 2));
' "$project/package.json" "${tarballs[@]}"
echo "== pnpm $(PATH="$tools" pnpm --version): installing the five tarballs with no compiler on PATH, no build approved"
start=$(seconds)
(cd "$project" && PATH="$tools" pnpm install --prefer-offline --reporter=append-only >"$work/pnpm.log" 2>&1) ||
  { cat "$work/pnpm.log" >&2; fail "pnpm install failed"; }
echo "   installed in $(( $(seconds) - start )) ms"
grep -i 'ignored build scripts' "$work/pnpm.log" | sed 's/^/   pnpm: /' || true
for major in 20 24; do
  (cd "$project" && PATH="$tools" "${node_binary[$major]}" smoke.mjs) || fail "the smoke program failed on Node $major (pnpm)"
done
echo "test-install: passed"
