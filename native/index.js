// The native core's package bootstrap: loads the compiled core, applies the
// core's environment settings (settings.js), and prepares for debuggers.
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { binding } from './load.js';
import { readSettings, settingsTable } from './settings.js';

// Read before the core loads: a misspelt switch must not load as "on".
/** Every STACKLESS_* variable, read once (settings.js). */
export const settings = readSettings();

const loaded = binding();

/** @type {import('./index.js').NativeCore} */
export const core = loaded.core;
/** @type {import('./index.js').NativeDiagnostics} */
export const diagnostics = loaded.diagnostics;

const require = createRequire(import.meta.url);

for (const setting of settingsTable) {
  if (setting.shortcut !== undefined && settings[setting.key] === false) {
    core.setShortcut(setting.shortcut, false, `${setting.name}=${settings.raw[setting.key]}`);
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

/**
 * A debugger that steps across a switch needs the step guard
 * (native/src/shortcuts/debug_step_guard.h), which needs V8's symbols, read on a
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
  if (inspector.url() !== undefined) diagnostics.waitForV8Symbols();
  const waitFirst = (owner, name) => {
    const original = owner?.[name];
    if (typeof original !== 'function') return;
    Object.defineProperty(owner, name, {
      value: function waitForV8SymbolsFirst(...args) {
        diagnostics.waitForV8Symbols();
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
if (pinning !== undefined) core.setShortcut('scavengeSkip', false, `V8 runs with ${pinning}`);

// V8 aborts the process ("archived threads in combination with wasm not
// supported") when its WebAssembly code GC runs while any V8 thread is
// archived, and every suspended greenlet is one; Node's fetch() alone
// triggers it (its HTTP parser is WebAssembly). Without that GC, code that a
// module's functions outgrew (a lower tier, debugging code) is freed with
// the module instead of earlier; nothing else changes.
setFlagsFromString('--no-wasm-code-gc');
