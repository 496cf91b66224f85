// Tasklet ids and names, util.inspect, captureStack(), dumpTasklets() and the
// report of a DeadlockError.
import t from 'tap';
import { inspect } from 'node:util';
import {
  DeadlockError,
  Tasklet,
  blockCurrentOn,
  dumpTasklets,
  events,
  getcurrent,
  getmain,
  run,
  schedule,
  scheduleRemove,
  sleep,
  tasklet,
  unblock,
  wait,
} from '@stackless/tasklets';
import { runProcess } from '@stackless/test-support';

t.test('ids: main is 0, the others unique and never reused', (t) => {
  t.equal(getmain().id, 0);
  const ids = new Set<number>();
  let last = 0;
  for (let i = 0; i < 100; i++) {
    const task = tasklet(() => {})();
    t.ok(task.id > last, 'increasing');
    last = task.id;
    ids.add(task.id);
    run();
  }
  t.equal(ids.size, 100);
  t.equal(new Tasklet().id, last + 1, 'after 100 ended tasklets, still a new id');
  t.end();
});

t.test('names: from the function, tasklet-<id>, main, settable, kept after death', (t) => {
  t.equal(getmain().name, 'main');
  const named = tasklet(function worker() {})();
  t.equal(named.name, 'worker');
  const anonymous = new Tasklet(() => {});
  // An arrow function passed directly has no name.
  t.equal(anonymous.name, `tasklet-${anonymous.id}`);
  anonymous.bind(function rebound() {});
  t.equal(anonymous.name, 'rebound', 'bind() gives the new function name');
  const bare = new Tasklet();
  t.equal(bare.name, `tasklet-${bare.id}`);
  named.name = 'renamed';
  t.equal(named.name, 'renamed');
  t.throws(() => {
    (named as unknown as { name: unknown }).name = 3;
  }, TypeError);
  run();
  t.ok(!named.alive);
  t.equal(named.name, 'renamed', 'kept after death');
  t.equal(inspect(named), `Tasklet #${named.id} renamed <dead>`);
  const ended = tasklet(function finishes() {})();
  run();
  t.equal(inspect(ended), `Tasklet #${ended.id} finishes <dead>`, 'the function name is kept after death too');
  t.end();
});

t.test('util.inspect: id, name and state', (t) => {
  t.equal(inspect(getmain()), 'Tasklet #0 main <running>');
  const blocker = { reason: 'a test record', cancel() {} };
  const waiter = tasklet(function waits() {
    blockCurrentOn(blocker);
  })();
  t.equal(inspect(waiter), `Tasklet #${waiter.id} waits <runnable>`);
  schedule();
  t.equal(inspect(waiter), `Tasklet #${waiter.id} waits <blocked on a test record>`);
  const worded = tasklet(function wordy() {
    blockCurrentOn({ reason: 'acquire on Thing#1', state: 'waiting for Thing#1', cancel() {} });
  })();
  schedule();
  t.equal(inspect(worded), `Tasklet #${worded.id} wordy <waiting for Thing#1>`, "a blocker's own state words");
  const paused = new Tasklet(function pausedOne() {}).bind(undefined, []);
  t.equal(inspect(paused), `Tasklet #${paused.id} pausedOne <paused>`);
  unblock(waiter);
  worded.kill();
  paused.kill();
  run();
  t.end();
});

t.test('events carry the tasklet, with its id and name', (t) => {
  const seen: string[] = [];
  const onCreated = (task: Tasklet) => seen.push(`created ${task.id} ${task.name}`);
  const onFinished = (task: Tasklet) => seen.push(`finished ${task.id} ${task.name}`);
  events.on('created', onCreated);
  events.on('finished', onFinished);
  try {
    const task = tasklet(function reported() {})();
    run();
    t.same(seen, [`created ${task.id} reported`, `finished ${task.id} reported`]);
  } finally {
    events.off('created', onCreated);
    events.off('finished', onFinished);
  }
  t.end();
});

t.test('log lines name the tasklet with its id', (t) => {
  const entry = new URL('../dist/index.js', import.meta.url).href;
  const program = `
    const { run, tasklet } = await import(${JSON.stringify(entry)});
    tasklet(function logged() {})();
    tasklet(function logged() {})();
    run();
  `;
  const child = runProcess(process.execPath, ['--input-type=module', '-e', program], {
    env: { STACKLESS_LOG: 'debug' },
    timeout: 60_000,
  });
  t.equal(child.status, 0, child.stderr);
  const lines = child.stderr.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; tasklet: string });
  const finished = lines.filter((line) => line.msg === 'finished').map((line) => line.tasklet);
  t.same(finished, ['#1 logged', '#2 logged'], 'two tasklets of the same name are told apart');
  t.end();
});

t.test('captureStack: null before start and after the end; the blocking caller first', (t) => {
  function blockHere(): void {
    blockCurrentOn({ reason: 'a test record', cancel() {} });
  }
  const task = tasklet(function blocksDeep() {
    blockHere();
  })();
  t.equal(task.captureStack(), null, 'not started');
  schedule();
  const stack = task.captureStack()!;
  const lines = stack.split('\n');
  t.equal(lines.length, 2, stack);
  t.match(lines[0], /^ {4}at blockHere \(/);
  t.match(lines[1], /^ {4}at blocksDeep \(/);
  t.notMatch(stack, /packages\/tasklets\/(dist|src)/, 'no frames of the library');
  t.equal(task.captureStack(), stack, 'the same again: nothing moved');
  unblock(task, 'value');
  run();
  t.equal(task.captureStack(), null, 'dead');
  t.match(getcurrent().captureStack()!, /^ {4}at /, 'the running tasklet: its current stack');
  t.end();
});

t.test('captureStack leaves the tasklet as it was: the value still arrives', (t) => {
  let got: unknown;
  const task = tasklet(function receives() {
    got = scheduleRemove();
  })();
  schedule();
  for (let i = 0; i < 10; i++) task.captureStack();
  task.tempval = 'sent';
  task.insert();
  run();
  t.equal(got, 'sent');
  t.end();
});

t.test('dumpTasklets: one block per live tasklet, states in words', async (t) => {
  const sleeper = tasklet(function sleeps() {
    sleep(10_000);
  })();
  let settle!: (value: unknown) => void;
  const waiter = tasklet(function waitsForPromise() {
    wait(new Promise((resolve) => (settle = resolve)));
  })();
  const runnable = new Tasklet(function stillRunnable() {}).bind(undefined, []);
  schedule();
  runnable.insert();
  const report = dumpTasklets();
  const blocks = report.split('\n\n');
  const headers = blocks.map((block) => block.split('\n')[0]);
  t.same(headers.slice(0, 1), ['Tasklet #0 main <running>']);
  t.match(headers, [
    'Tasklet #0 main <running>',
    new RegExp(`^Tasklet #${sleeper.id} sleeps <sleeping \\(sleep\\(10000\\), wakes in \\d+ ms\\)>$`),
    `Tasklet #${waiter.id} waitsForPromise <waiting on a promise>`,
    `Tasklet #${runnable.id} stillRunnable <runnable>`,
  ]);
  t.equal(blocks.length, 4, report);
  t.match(blocks[1], /\n {4}at sleeps \(/);
  t.match(blocks[2], /\n {4}at waitsForPromise \(/);
  t.equal(blocks[3].split('\n').length, 1, 'not started: no stack');
  t.notMatch(report, /\n\n\n/, 'blocks separated by one blank line');
  sleeper.kill();
  settle(1);
  await new Promise((resolve) => setImmediate(resolve));
  run();
  t.match(dumpTasklets(), /^Tasklet #0 main <running>\n {4}at /, "main's block: its header, then its stack");
  t.equal(dumpTasklets().split('\n\n').length, 1, 'only main is left');
  t.end();
});

t.test('DeadlockError: the message names the blocked tasklets, report is the dump', (t) => {
  const blocker = { reason: 'a record nobody signals', cancel() {} };
  const stuck = tasklet(function stuckOne() {
    blockCurrentOn(blocker);
  })();
  schedule();
  let error: unknown;
  try {
    blockCurrentOn({ reason: 'the second record', cancel() {} });
  } catch (caught) {
    error = caught;
  }
  t.ok(error instanceof DeadlockError);
  const deadlock = error as DeadlockError;
  t.match(deadlock.message, `blocked: #${stuck.id} stuckOne (a record nobody signals)`);
  const headers = deadlock.report.split('\n\n').map((block) => block.split('\n')[0]);
  t.same(headers, [
    'Tasklet #0 main <blocked on the second record (deadlock: nothing could wake it)>',
    `Tasklet #${stuck.id} stuckOne <blocked on a record nobody signals>`,
  ]);
  t.match(deadlock.report, new RegExp(`Tasklet #${stuck.id} stuckOne <[^>]*>\\n {4}at stuckOne \\(`));
  stuck.kill();
  run();
  t.end();
});

t.test('a registry entry goes when the tasklet ends; many tasklets dump quickly enough to list', (t) => {
  const tasks = Array.from({ length: 1000 }, () =>
    tasklet(function many() {
      scheduleRemove();
    })(),
  );
  run();
  const report = dumpTasklets();
  t.equal(report.split('\n\n').length, 1001);
  for (const task of tasks) {
    task.insert();
  }
  run();
  t.equal(dumpTasklets().split('\n\n').length, 1);
  t.end();
});

t.test('DeadlockError of a main left blocked by the last tasklet: report and names', (t) => {
  let helper!: Tasklet;
  let error: unknown;
  helper = tasklet(function lastOne() {
    schedule();
  })();
  try {
    // Main blocks while `lastOne` is runnable; it ends without waking main.
    blockCurrentOn({ reason: 'a reply that never comes', cancel() {} });
  } catch (caught) {
    error = caught;
  }
  t.ok(error instanceof DeadlockError);
  const deadlock = error as DeadlockError;
  t.match(deadlock.message, /the main tasklet is blocked on a reply that never comes/);
  t.match(deadlock.message, /blocked: #0 main \(a reply that never comes\)/);
  t.match(deadlock.report, /^Tasklet #0 main <blocked on a reply that never comes>\n {4}at /);
  t.equal(deadlock.report.split('\n\n').length, 1, 'the tasklet that ended is not listed');
  t.notOk(helper.alive);
  t.end();
});
