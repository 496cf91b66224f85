// The switch that drives V8's thread archive directly
// (native/src/shortcuts/direct_restore.h): on where V8's code can be read (x86-64),
// invisible to programs, and leaving the debugger's state to V8 when a
// debugger is active.
import t from 'tap';
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { core, diagnostics } from '@stackless/native';
import { testing } from '@stackless/native/testing';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';
import { observe, settleShortcuts } from './switch-workload.js';

const fixture = fixtureIn(import.meta.url);

const main = getcurrent();
const directRestoreHere = process.arch === 'x64';

t.test(directRestoreHere ? 'on, and used for switches between started greenlets' : 'off with a reason off x86-64', (t) => {
  settleShortcuts();
  const direct = diagnostics.shortcuts().directRestore;
  if (!directRestoreHere) {
    t.equal(direct.status, 'off');
    t.match(direct.reason, /x86-64 only/);
    return t.end();
  }
  t.equal(direct.status, 'on', direct.reason);
  t.equal(direct.archivesByComponent, true, "V8's archive code is the seven calls it expects");
  const partner = new Greenlet(() => {
    for (;;) main.switch();
  });
  partner.switch(); // a new greenlet starts through v8::Locker
  const before = diagnostics.shortcuts().directRestore.switches;
  for (let i = 0; i < 100; i++) partner.switch();
  t.equal(diagnostics.shortcuts().directRestore.switches - before, 200, 'both directions of every later switch');
  partner.throw();
  t.end();
});

t.test('programs see the same with the direct restore on and off', (t) => {
  settleShortcuts();
  const before = diagnostics.shortcuts().directRestore.switches;
  const direct = observe();
  if (directRestoreHere) t.ok(diagnostics.shortcuts().directRestore.switches > before, 'the direct restore was used');
  core.setShortcut('directRestore', false);
  try {
    const usedBefore = diagnostics.shortcuts().directRestore.switches;
    const publicPath = observe();
    t.equal(diagnostics.shortcuts().directRestore.switches, usedBefore, 'and then not');
    t.same(direct, publicPath);
  } finally {
    core.setShortcut('directRestore', true);
  }
  t.end();
});

t.test('with a debugger session enabled, V8 restores the debugger state', { skip: !directRestoreHere && 'x86-64 only' }, (t) => {
  const result = runChild(fixture('debugger-session.mjs'));
  expectExit(t, result);
  const phases = JSON.parse(result.stdout.trim());
  t.ok(phases.before.direct >= 190, 'direct before the session');
  t.equal(phases.before.debuggerRestores, 0, 'with nothing for the debugger');
  t.ok(phases.debugging.direct >= 190, 'still direct while debugging');
  t.equal(phases.debugging.debuggerRestores, phases.debugging.direct, 'each restoring the debugger state');
  t.equal(phases.withBreakpoint.debuggerRestores, phases.withBreakpoint.direct);
  t.equal(phases.after.debuggerRestores, 0, 'none once the session is disabled');
  t.end();
});

t.test('programs see the same whether V8 archives whole or the core by component', { skip: !directRestoreHere && 'x86-64 only' }, (t) => {
  settleShortcuts();
  const byComponent = observe();
  testing.setArchiveByComponent(false);
  try {
    t.equal(diagnostics.shortcuts().directRestore.archivesByComponent, false, 'now through EagerlyArchiveThread');
    const before = diagnostics.shortcuts().directRestore.switches;
    const whole = observe();
    t.ok(diagnostics.shortcuts().directRestore.switches > before, 'still the direct restore');
    t.same(whole, byComponent);
  } finally {
    testing.setArchiveByComponent(true);
  }
  t.equal(diagnostics.shortcuts().directRestore.archivesByComponent, true);
  t.end();
});

t.test('setArchiveByComponent wants a boolean', (t) => {
  t.throws(() => (testing.setArchiveByComponent as (value: unknown) => void)('no'), TypeError);
  t.end();
});

t.test('STACKLESS_DIRECT_RESTORE=0 turns it off', (t) => {
  const result = runChild(fixture('debugger-session.mjs'), [], [], { STACKLESS_DIRECT_RESTORE: '0' });
  expectExit(t, result);
  const phases = JSON.parse(result.stdout.trim());
  t.equal(phases.before.direct + phases.after.direct, 0);
  t.end();
});

t.test('setShortcut(directRestore) wants a boolean', (t) => {
  t.throws(() => (core.setShortcut as (name: string, value: unknown) => void)('directRestore', 1), TypeError);
  t.end();
});
