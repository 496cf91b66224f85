// When the thread ends, tasklets still suspended are killed through the
// scheduler (TaskletExit at their suspension points), as Stackless' shutdown
// does (slp_kill_tasks_with_stacks): their finally blocks run with the
// scheduler working, so what they send arrives and what they throw is
// reported. Each case runs in a child process.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runProcess } from '@stackless/test-support';

const script = fileURLToPath(new URL('./fixtures/exit-kill.mjs', import.meta.url));

function runFixture(mode: string) {
  // None of the test runner's preloads either: tap's exit hook would decide
  // the exit code, and tap puts its NODE_OPTIONS back into any spawn's env.
  const command = ['-u', 'NODE_OPTIONS', process.execPath, script, mode];
  const child = runProcess('env', command, { timeout: 60_000 });
  const events = child.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown[]);
  return { status: child.status, signal: child.signal, stderr: child.stderr, events };
}

t.test('a finally block run at exit can send to another suspended tasklet, which gets the value', (t) => {
  const result = runFixture('finally-delivers');
  t.equal(result.signal, null, result.stderr);
  t.equal(result.status, 0, result.stderr);
  // sender is killed first (it started first); its send hands the value to
  // receiver, which ends; sleeper is killed next; sender, runnable again
  // behind main, is killed at its send in the second pass.
  t.same(result.events, [
    ['exiting'],
    ['sender caught', 'TaskletExit'],
    ['receiver got', 'bye'],
    ['receiver finally'],
    ['sleeper finally'],
  ]);
  t.end();
});

t.test('tasklets blocked when the event loop empties are killed, and leave the channel', (t) => {
  const result = runFixture('natural-end');
  t.equal(result.status, 0, result.stderr);
  t.same(result.events, [
    ['finally', 'first', -2],
    ['finally', 'second', -1],
    ['finally', 'third', 0],
    ['balance at the end', 0],
  ]);
  t.end();
});

t.test('a tasklet that catches every TaskletExit is killed a bounded number of times, then unwound by the greenlet layer', (t) => {
  const result = runFixture('swallows');
  t.equal(result.status, 0, result.stderr);
  t.same(result.events, [
    ['stubborn caught', 'TaskletExit'],
    ['stubborn caught', 'TaskletExit'],
    ['stubborn caught', 'TaskletExit'],
    ['stubborn caught', 'GreenletExit: greenlet exit'],
  ]);
  t.end();
});

t.test('an error thrown by a finally block at exit is reported, not lost', (t) => {
  const result = runFixture('throws');
  t.equal(result.signal, null, result.stderr);
  t.not(result.status, 0, 'the process fails');
  t.match(result.stderr, /Error: thrown in finally at exit/);
  t.end();
});

t.test('process.exit() in a tasklet kills the others; its own finally blocks do not run, as on main', (t) => {
  const result = runFixture('exit-in-tasklet');
  t.equal(result.status, 3, result.stderr);
  t.same(result.events, [['exiting'], ['blocked finally']]);
  t.end();
});

t.test('tasklets that never started do not run at exit', (t) => {
  const result = runFixture('unstarted');
  t.equal(result.status, 0, result.stderr);
  t.same(result.events, [['alive at the end', true]]);
  t.end();
});

t.test('a worker that ends kills its own suspended tasklets', (t) => {
  const result = runFixture('worker');
  t.equal(result.status, 0, result.stderr);
  t.same(result.events, [['worker tasklet finally'], ['worker exit', 0]]);
  t.end();
});
