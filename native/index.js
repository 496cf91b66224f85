// Loads the compiled core for this Node.js build (node-gyp-build picks a
// prebuild if one matches, else build/Release), or says plainly why it cannot.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

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
    // The core itself refused (an unreadable setting, an unsupported V8): its
    // error says why, and rebuilding would not help.
    if (cause instanceof Error && cause.message.startsWith('stackless: ')) throw cause;
    throw new Error(describeLoadFailure(cause, platform, directory), { cause });
  }
}

const REBUILD =
  'rebuild it with `pnpm install` or `npm rebuild @stackless/native` (needs python3, make and a C++ compiler)';

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
  const detail = String(cause?.message ?? cause).trim().split('\n')[0];
  if (detail.startsWith('No native build was found')) {
    return `stackless: no native core for Node ${process.version} (ABI ${process.versions.modules}) on ${platform}; ${REBUILD}`;
  }
  return `stackless: the native core in ${directory} could not be loaded (${detail}); ${REBUILD}`;
}

/**
 * A V8 option under which a scavenge may leave a survivor young (it pins
 * objects in place instead of promoting them), or undefined. The scavenge skip
 * relies on every survivor of two scavenges being old (docs/switch-cost.md).
 */
function objectPinningOption() {
  const options = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return options.find((option) => /^--(?!no-)[\w-]*(object[-_]pinning|conservative[-_]stack[-_]scanning)/.test(option));
}

/** @type {import('./index.js').NativeCore} */
export const core = loadCore();

/**
 * A debugger that steps across a switch needs the step guard
 * (native/src/debug_step_guard.h), which needs V8's symbols, read on a
 * background thread after load. So, when an inspector is open at load, and
 * before an inspector session connects or opens, wait for them (once, tens of
 * milliseconds). A debugger attached later (SIGUSR1) finds them long read.
 */
function prepareForDebuggers() {
  let inspector;
  try {
    inspector = require('node:inspector');
  } catch {
    return; // a build without the inspector, or one the permission model denies
  }
  if (inspector.url() !== undefined) core.waitForV8Symbols();
  const waitFirst = (owner, name) => {
    const original = owner?.[name];
    if (typeof original !== 'function') return;
    Object.defineProperty(owner, name, {
      value: function waitForV8SymbolsFirst(...args) {
        core.waitForV8Symbols();
        return original.apply(this, args);
      },
      writable: true,
      configurable: true,
    });
  };
  waitFirst(inspector.Session?.prototype, 'connect');
  waitFirst(inspector.Session?.prototype, 'connectToMainThread');
  waitFirst(inspector, 'open');
}

prepareForDebuggers();

const pinning = objectPinningOption();
if (pinning !== undefined) core.setScavengeSkip(false, `V8 runs with ${pinning}`);
