// The restore shortcut that spares V8's debugger its stack walk
// (native/src/shortcuts/debug_walk_bypass.h): it must find what V8 itself uses, stay
// out of the way of a debugger, and change nothing a program can observe.
import t from 'tap';
import { Greenlet, GreenletExit, getcurrent } from '@stackless/greenlet';
import { core, diagnostics } from '@stackless/native';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';
import { observe, settleShortcuts } from './switch-workload.js';

const fixture = fixtureIn(import.meta.url);

const main = getcurrent();

// Switches between started greenlets take the direct restore where it works
// (direct-restore.test.ts); the bypass serves the others. Here every switch
// is to go through ~v8::Unlocker.
core.setShortcut('directRestore', false);
t.teardown(() => core.setShortcut('directRestore', true));

t.test('turns on once the symbols are read, at the place V8 itself uses', (t) => {
  settleShortcuts();
  const bypass = diagnostics.shortcuts().debugWalkBypass;
  t.equal(bypass.status, 'on', bypass.reason);
  t.ok(bypass.exitFrameOffset >= 0 && bypass.exitFrameOffset % 8 === 0, 'a word of ThreadLocalTop');
  t.ok(bypass.archiveExitFrameOffset > bypass.exitFrameOffset, 'behind the handle-scope archive');
  // Node 20 to 24 also export V8's own answer (Isolate::get_address_from_id).
  if (bypass.v8ExitFrameOffset !== -1) t.equal(bypass.exitFrameOffset, bypass.v8ExitFrameOffset);
  t.end();
});

t.test('programs see the same with the bypass on and off', (t) => {
  settleShortcuts();
  const before = diagnostics.shortcuts().debugWalkBypass.bypassed;
  const withBypass = observe();
  t.ok(diagnostics.shortcuts().debugWalkBypass.bypassed > before, 'the bypass was used');
  core.setShortcut('debugWalkBypass', false);
  try {
    const usedBefore = diagnostics.shortcuts().debugWalkBypass.bypassed;
    const without = observe();
    t.equal(diagnostics.shortcuts().debugWalkBypass.bypassed, usedBefore, 'and then not');
    t.same(withBypass, without);
  } finally {
    core.setShortcut('debugWalkBypass', true);
  }
  t.equal(withBypass.at(-1), 2, 'a stack trace taken after a resume has both frames');
  t.end();
});

t.test('a suspended greenlet unwound by GreenletExit through bypassed restores', (t) => {
  settleShortcuts();
  let cleaned = false;
  const g = new Greenlet(() => {
    try {
      main.switch();
    } finally {
      cleaned = true;
    }
  });
  g.switch();
  t.ok(g.throw(new GreenletExit()) instanceof GreenletExit);
  t.ok(cleaned);
  t.end();
});

t.test('not used while a debugger session is enabled', (t) => {
  const result = runChild(fixture('debugger-session.mjs'), [], [], { STACKLESS_DIRECT_RESTORE: '0' });
  expectExit(t, result);
  const phases = JSON.parse(result.stdout.trim());
  t.ok(phases.before.bypassed >= 190, 'used before the session');
  t.equal(phases.debugging.bypassed, 0, 'not while debugging');
  t.ok(phases.debugging.plain >= 200, 'restores went the plain way');
  t.equal(phases.withBreakpoint.bypassed, 0, 'nor with a breakpoint set');
  t.ok(phases.after.bypassed >= 190, 'used again after Debugger.disable');
  t.end();
});

t.test('STACKLESS_DEBUG_WALK_BYPASS=0 turns it off', (t) => {
  const result = runChild(fixture('debugger-session.mjs'), [], [], {
    STACKLESS_DEBUG_WALK_BYPASS: '0',
    STACKLESS_DIRECT_RESTORE: '0',
  });
  expectExit(t, result);
  const phases = JSON.parse(result.stdout.trim());
  t.equal(phases.before.status, 'off');
  t.equal(phases.before.bypassed + phases.after.bypassed, 0);
  t.end();
});

t.test('setShortcut(debugWalkBypass) wants a boolean', (t) => {
  t.throws(() => (core.setShortcut as (name: string, value: unknown) => void)('debugWalkBypass', 'yes'), TypeError);
  t.end();
});
