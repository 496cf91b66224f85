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
  try {
    return loadBinding(dirname(fileURLToPath(import.meta.url)));
  } catch (cause) {
    throw new Error(
      `stackless: no native core for Node ${process.version} (ABI ${process.versions.modules}) on ${platform}; ` +
        'rebuild it with `pnpm install` or `npm rebuild @stackless/native` (needs python3, make and a C++ compiler)',
      { cause },
    );
  }
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

const pinning = objectPinningOption();
if (pinning !== undefined) core.setScavengeSkip(false, `V8 runs with ${pinning}`);
