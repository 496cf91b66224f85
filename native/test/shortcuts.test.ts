// The registry of the switch's self-verifying shortcuts: one binding surface
// (diagnostics.shortcuts(), core.setShortcut()) for all of them, and one
// STACKLESS_* switch each in the settings table.
import t from 'tap';
import { core, diagnostics } from '@stackless/native';
import { settingsTable } from '@stackless/native/settings';

const names = Object.keys(diagnostics.shortcuts()).sort();

t.test('every shortcut reports enabled, status and reason', (t) => {
  t.same(names, ['debugStepGuard', 'debugWalkBypass', 'directRestore', 'scavengeSkip']);
  for (const [name, info] of Object.entries(diagnostics.shortcuts())) {
    t.equal(info.enabled, true, `${name} starts enabled`);
    t.type(info.status, 'string');
    t.type(info.reason, 'string');
    t.equal(info.status === 'off', info.reason !== '', `${name}: a reason exactly when off`);
  }
  t.end();
});

t.test('each has exactly one STACKLESS_* switch in the settings table', (t) => {
  const switched = settingsTable.flatMap((entry) => (entry.shortcut === undefined ? [] : [entry.shortcut])).sort();
  t.same(switched, names);
  t.end();
});

t.test('setShortcut turns each off with a reason and on again', (t) => {
  for (const name of names) {
    const before = diagnostics.shortcuts()[name as keyof ReturnType<typeof diagnostics.shortcuts>];
    try {
      core.setShortcut(name as never, false);
      let now = diagnostics.shortcuts()[name as keyof ReturnType<typeof diagnostics.shortcuts>];
      t.same([now.enabled, now.status, now.reason], [false, 'off', 'disabled by request'], name);
      core.setShortcut(name as never, false, 'for a test');
      now = diagnostics.shortcuts()[name as keyof ReturnType<typeof diagnostics.shortcuts>];
      t.equal(now.reason, 'for a test', `${name} reports the reason given`);
    } finally {
      core.setShortcut(name as never, true);
    }
    const after = diagnostics.shortcuts()[name as keyof ReturnType<typeof diagnostics.shortcuts>];
    t.same([after.enabled, after.status, after.reason], [true, before.status, before.reason], `${name} is back`);
  }
  t.end();
});

t.test('setShortcut refuses an unknown name or a bad value, naming the parameter', (t) => {
  t.throws(() => core.setShortcut('fastPath' as never, false), {
    name: 'RangeError',
    message: /name must be one of directRestore, debugWalkBypass, scavengeSkip, debugStepGuard, not 'fastPath'/,
  });
  t.throws(() => core.setShortcut(1 as never, false), { name: 'TypeError', message: /name must be one of/ });
  t.throws(() => core.setShortcut('directRestore', 'no' as never), { name: 'TypeError', message: /enabled must be a boolean/ });
  t.throws(() => core.setShortcut('directRestore', false, 7 as never), { name: 'TypeError', message: /reason must be a string/ });
  t.equal(diagnostics.shortcuts().directRestore.enabled, true, 'a refused call changes nothing');
  t.end();
});

t.test('the test hooks and diagnostics are not on the core', (t) => {
  for (const hook of ['recurseNatively', 'setArchiveByComponent', 'forceDebugStepCancelling', 'shortcuts', 'identityLayout']) {
    t.notOk(hook in core, hook);
  }
  t.end();
});
