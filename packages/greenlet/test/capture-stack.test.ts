// Greenlet#captureStack(): the checks live in fixtures/capture-stack.mjs and
// run in child processes (a wrong capture could crash), plainly, in a worker
// thread and under GC stress.
import t, { type Test } from 'tap';
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { diagnostics } from '@stackless/native';
import { inspect } from 'node:util';

import { describeExit, expectExit, fixtureIn, runChild } from '@stackless/test-support';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

const fixture = fixtureIn(import.meta.url);

checkGreenletsAfterEach(t);

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

/** The checks the fixture runs (the last needs --expose-gc); in "als" mode, phases 1 to 4. */
const CHECKS = 15;
const ALS_CHECKS = 11;

function runFixture(t: Test, flags: string[], args: string[] = [], env: NodeJS.ProcessEnv = {}): void {
  const expected = args[0] === 'als' ? ALS_CHECKS : CHECKS;
  const result = runChild(fixture('capture-stack.mjs'), ['--expose-gc', ...flags], args, env);
  expectExit(t, result);
  const lines = result.stdout.trim().split('\n');
  const checks: Check[] = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Check);
  for (const check of checks) t.ok(check.ok, check.check, check.ok ? {} : { diagnostic: true, details: check.detail });
  t.equal(lines.at(-1), `done ${expected}`, 'every check ran', { details: describeExit(result) });
  t.equal(checks.length, expected);
}

t.test('plain', (t) => {
  runFixture(t, []);
  t.end();
});

t.test('AsyncLocalStorage and tracing untouched by captures', (t) => {
  runFixture(t, [], ['als']);
  t.end();
});

t.test('in a worker thread', (t) => {
  runFixture(t, [], ['worker'], { CAPTURE_MANY: '2000' });
  t.end();
});

t.test('under --stress-compaction', (t) => {
  runFixture(t, ['--stress-compaction'], ['stress'], { CAPTURE_MANY: '300' });
  t.end();
});

t.test('under --gc-interval', (t) => {
  runFixture(t, ['--gc-interval=500'], ['stress'], { CAPTURE_MANY: '300' });
  t.end();
});

t.test('under --stress-incremental-marking and --stress-scavenge', (t) => {
  runFixture(t, ['--stress-incremental-marking', '--stress-scavenge=50'], ['stress'], { CAPTURE_MANY: '1000' });
  t.end();
});

t.test('in this process: counted by the core, nothing else runs', (t) => {
  const main = getcurrent();
  const g = new Greenlet(function parkedHere() {
    return main.switch('parked');
  });
  t.equal(g.switch(), 'parked');
  const before = diagnostics.captures();
  const stack = g.captureStack();
  t.equal(diagnostics.captures(), before + 1, 'one capture-mode switch');
  t.match(stack, /^ {4}at parkedHere \(.*capture-stack\.test\.ts:\d+:\d+\)$/);
  t.equal(g.switch('back'), 'back');
  t.equal(g.captureStack(), null);
  t.end();
});

t.test('util.inspect keeps the name of run after the start and the end', (t) => {
  const main = getcurrent();
  const g = new Greenlet(function worker() {
    main.switch();
  });
  t.equal(inspect(g), 'Greenlet (worker) <unstarted>');
  g.switch();
  t.equal(g.run, undefined, 'run is let go at the start');
  t.equal(inspect(g), 'Greenlet (worker) <suspended>');
  g.switch();
  t.equal(inspect(g), 'Greenlet (worker) <dead>');
  const renamed = new Greenlet();
  renamed.run = function later() {};
  t.equal(inspect(renamed), 'Greenlet (later) <unstarted>');
  t.end();
});
