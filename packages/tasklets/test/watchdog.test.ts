// setBlockingThreshold(): the native watchdog runs in child processes (it is
// a thread of its own and interrupts V8), on the main thread and in a worker.
import t, { type Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { setBlockingThreshold } from '@stackless/tasklets';
import { runProcess } from '@stackless/test-support';

interface Seen {
  id: number;
  name: string;
  elapsedMs: number;
  stack: string;
}

function runFixture(args: string[]): Record<string, any> {
  const script = fileURLToPath(new URL('./fixtures/blocking.mjs', import.meta.url));
  const child = runProcess(process.execPath, [script, ...args], { timeout: 120_000 });
  if (child.status !== 0 || child.signal !== null) {
    throw new Error(`fixture failed: ${child.signal ?? child.status}\n${child.stdout}\n${child.stderr}`);
  }
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!);
}

function checkResults(t: Test, results: Record<string, any>): void {
  t.equal(results.previous, null, 'off by default');
  const busy = results.tasklet as Seen[];
  t.equal(busy.length, 1, 'a 300 ms busy loop with a 50 ms threshold: exactly one event');
  t.equal(busy[0]?.name, 'busyLoop', 'naming the tasklet');
  // At least the threshold, and seen while the loop ran (not at its end).
  t.ok(busy[0]!.elapsedMs >= 50 && busy[0]!.elapsedMs < 300, `elapsedMs ${busy[0]?.elapsedMs}`);
  t.match(busy[0]?.stack, /^ {4}at spinFor \(file:.*blocking\.mjs:\d+:\d+\)\n {4}at busyLoop \(/, 'and the looping function');
  t.same(results.quiet, [], 'switching tasklets and an idle loop: nothing');
  const timer = results.timer as Seen[];
  t.equal(timer.length, 1, "main's code in a timer callback");
  t.equal(timer[0]?.id, 0);
  t.match(timer[0]?.stack, /^ {4}at spinFor \(/);
  const io = results.io as Seen[];
  t.equal(io.length, 1, "main's code in an I/O callback (the loop's poll phase)");
  t.match(io[0]?.stack, /^ {4}at spinFor \(/);
  t.equal(results.atSwitch.events.length, 1);
  t.equal(results.atSwitch.events[0]?.name, 'spinsThenSleeps');
  t.equal(results.atSwitch.deliveredBeforeSleepEnded, true, 'delivered at its next switch, not later');
  t.equal(results.previousOff, 50);
  t.same(results.off, [], 'off: nothing');
}

t.test('on the main thread', (t) => {
  checkResults(t, runFixture([]));
  t.end();
});

t.test('in a worker thread', (t) => {
  checkResults(t, runFixture(['worker']));
  t.end();
});

t.test('bad thresholds are refused; null reads back', (t) => {
  for (const bad of [0, -1, Number.NaN, Infinity, '50']) {
    t.throws(() => setBlockingThreshold(bad as number), RangeError, String(bad));
  }
  t.equal(setBlockingThreshold(null), null);
  t.end();
});
