// Loads the compiled core for this Node.js build (node-gyp-build takes
// build/Release when there is one, a build from source, else the prebuild for
// this platform and Node ABI), or says plainly why it cannot. index.js and
// testing.js hand out its parts; nothing else imports this file.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtFor, describePrebuilds, prebuilds } from './builds.js';

const require = createRequire(import.meta.url);
const loadBinding = require('node-gyp-build');

/** Where a context switch and V8 thread-identity discovery exist and are tested. */
const SUPPORTED = new Set(['linux-x64', 'linux-arm64']);

function loadCore() {
  const platform = `${process.platform}-${process.arch}`;
  if (!SUPPORTED.has(platform)) {
    throw new Error(
      `stackless: ${platform} is not supported; the native core runs on ${[...SUPPORTED].join(' and ')} ` +
        '(see docs/platforms.md)',
    );
  }
  const directory = dirname(fileURLToPath(import.meta.url));
  try {
    return loadBinding(directory);
  } catch (cause) {
    const prebuilt = prebuildBehindStaleBuild(directory, platform);
    if (prebuilt) return prebuilt;
    // The core itself refused (an unreadable setting, an unsupported V8): its
    // error says why, and rebuilding would not help.
    if (cause instanceof Error && cause.message.startsWith('stackless: ')) throw cause;
    throw new Error(describeLoadFailure(cause, platform, directory), { cause });
  }
}

/**
 * An installed package's build from source (build/Release, which
 * node-gyp-build prefers) for another Node shadows the prebuild for this one
 * after a change of Node major: load that prebuild instead, or undefined. Not
 * in a checkout, where build/Release is the contributor's own build.
 */
function prebuildBehindStaleBuild(directory, platform) {
  const failed = resolvedFile(directory);
  if (!failed?.startsWith(join(directory, 'build') + sep)) return undefined;
  if (!directory.split(sep).includes('node_modules')) return undefined;
  const tag = builtFor(failed);
  if (tag && tag.abi === process.versions.modules) return undefined; // built for this Node: its error stands
  const match = prebuilds(directory).find((entry) => entry.platform === platform && entry.abi === process.versions.modules);
  if (!match) return undefined;
  try {
    return require(match.file);
  } catch {
    return undefined;
  }
}

/**
 * Why the compiled core did not load, in the message itself: only a missing
 * or mismatched build is cured by rebuilding, and tools often print only the
 * message, not `error.cause`.
 */
function describeLoadFailure(cause, platform, directory) {
  const code = cause?.code;
  if (code === 'ERR_DLOPEN_DISABLED') {
    // process.permission exists only while the permission model is on.
    return process.permission !== undefined
      ? 'stackless: the permission model is on without --allow-addons, so Node.js loads no native addons, ' +
          'and greenlets need the native core: add --allow-addons to the node command line'
      : 'stackless: Node.js runs with --no-addons, so it loads no native addons, ' +
          'and greenlets need the native core: run node without --no-addons';
  }
  if (code === 'ERR_ACCESS_DENIED') {
    return (
      `stackless: the permission model denied access to the native core in ${directory} ` +
      `(${cause.message}): allow reading it with --allow-fs-read`
    );
  }
  const running = `Node ${process.versions.node} (ABI ${process.versions.modules})`;
  if (!isThisPackage(directory)) {
    // A bundler copied this file into a bundle: the binaries stayed behind.
    return (
      `stackless: @stackless/native was bundled into ${directory}, away from its compiled core; ` +
      'keep it out of the bundle (esbuild: --external:@stackless/native; webpack: externals; ' +
      'rollup: external) and ship node_modules/@stackless/native beside it'
    );
  }
  const detail = String(cause?.message ?? cause).trim().split('\n')[0];
  const available = describePrebuilds(directory);
  if (detail.startsWith('No native build was found')) {
    return `stackless: no native core for ${running} on ${platform} (${available}); ${howToBuild(directory)}`;
  }
  const file = resolvedFile(directory);
  const tag = file && builtFor(file);
  if (tag && tag.abi !== process.versions.modules) {
    return (
      `stackless: the native core ${file} was built for Node ${tag.node} (ABI ${tag.abi}), ` +
      `but this is ${running}; ${howToBuild(directory, 'rebuild')}`
    );
  }
  return `stackless: the native core in ${directory} could not be loaded (${detail}); ${howToBuild(directory, 'rebuild')}`;
}

/** What to run to build the core for this Node: it depends on the package manager. */
function howToBuild(directory, verb = 'build') {
  const tools = '(needs python3, make and a C++ compiler)';
  if (directory.includes(`${sep}node_modules${sep}.pnpm${sep}`)) {
    // pnpm 10 runs no dependency's install script unless it is approved.
    return (
      `${verb} it with pnpm ${tools}: approve its build script with \`pnpm approve-builds\` ` +
      '(or list "@stackless/native" in "pnpm.onlyBuiltDependencies" in package.json), ' +
      'then run `pnpm rebuild @stackless/native`'
    );
  }
  if (directory.split(sep).includes('node_modules')) {
    return `${verb} it with \`npm rebuild @stackless/native\` ${tools}`;
  }
  return `${verb} it with \`pnpm install\` or \`pnpm run build\` in the repository ${tools}`;
}

function isThisPackage(directory) {
  try {
    return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).name === '@stackless/native';
  } catch {
    return false;
  }
}

function resolvedFile(directory) {
  try {
    return loadBinding.resolve(directory);
  } catch {
    return undefined;
  }
}

let loaded;

/** `{ core, diagnostics, testing }`, as native/src/binding/addon.cc exports them, loaded once. */
export function binding() {
  loaded ??= loadCore();
  return loaded;
}
