// Tasklets and Node's event loop: sleep() and wait() block only the calling
// tasklet, woken tasklets run without anyone calling run(), and the loop
// stays responsive while many tasklets run.
import t from 'tap';
import { SchedulerError, Tasklet, events, finished, getruncount, run, schedule, sleep, tasklet, wait } from '@stackless/tasklets';
import { fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

t.test('tasklets sleeping different times wake in order, without run()', async (t) => {
  // 30 ms apart: the timers start one after another, and on a loaded machine
  // a pause between two starts must not reorder their expiries.
  const delays = [240, 30, 150, 0, 90, 210, 60, 180, 120, 270];
  const woke: number[] = [];
  const tasks = delays.map((ms) =>
    tasklet(() => {
      sleep(ms);
      woke.push(ms);
    })(),
  );
  // Start them all at once, so that every timer starts in the same instant;
  // after that nobody calls run(): the event loop wakes and runs them.
  run();
  t.ok(tasks.every((task) => task.blocked), 'all asleep');
  await finished(tasks);
  t.same(woke, [...delays].sort((a, b) => a - b));
  t.end();
});

t.test('sleep() blocks only the calling tasklet', async (t) => {
  const log: string[] = [];
  const sleeper = tasklet(() => {
    sleep(30);
    log.push('sleeper woke');
  })();
  const worker = tasklet(() => {
    for (let i = 0; i < 3; i++) {
      log.push(`worker ${i}`);
      schedule();
    }
  })();
  await finished([sleeper, worker]);
  t.same(log, ['worker 0', 'worker 1', 'worker 2', 'sleeper woke']);
  t.ok(sleeper.alive === false && worker.alive === false);
  t.end();
});

t.test('a blocked tasklet reports it', async (t) => {
  let reason = '';
  const onBlocked = (_: Tasklet, why: string) => {
    reason = why;
  };
  events.on('blocked', onBlocked);
  const task = tasklet(() => sleep(20))();
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.ok(task.blocked);
  t.ok(task.scheduled, 'a sleeping tasklet is still scheduled');
  t.equal(reason, 'sleep(20)');
  events.off('blocked', onBlocked);
  await finished([task]);
  t.end();
});

t.test('wait() returns the value or throws the reason', async (t) => {
  const results: unknown[] = [];
  const task = tasklet(() => {
    results.push(wait(new Promise((resolve) => setTimeout(() => resolve('later'), 10))));
    results.push(wait(Promise.resolve('now')));
    results.push(wait(7));
    try {
      wait(Promise.reject(new URIError('rejected')));
    } catch (error) {
      results.push(`caught ${(error as Error).name}`);
    }
  })();
  await finished([task]);
  t.same(results, ['later', 'now', 7, 'caught URIError']);
  t.end();
});

t.test('the main tasklet never blocks on the event loop', (t) => {
  t.throws(() => sleep(1), SchedulerError);
  t.throws(() => wait(Promise.resolve(1)), { name: 'SchedulerError', message: /main tasklet.*tasklet\(fn\)/s });
  t.throws(() => sleep(-1), RangeError);
  t.throws(() => sleep(Number.NaN), RangeError);
  t.throws(() => sleep(Object.create(null)), { name: 'TypeError', message: /sleep\(\) takes a number of milliseconds, not an object/ });
  t.throws(() => sleep('5' as never), TypeError);
  t.end();
});

t.test('kill() wakes a sleeping tasklet and cancels its timer', async (t) => {
  const log: string[] = [];
  const task = tasklet(() => {
    try {
      sleep(10_000);
      log.push('slept');
    } finally {
      log.push('finally');
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.ok(task.blocked);
  task.kill();
  t.same(log, ['finally']);
  t.notOk(task.alive);
  t.end();
});

t.test('the event loop stays responsive while 10,000 tasklets run', async (t) => {
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  const rounds = 20;
  let steps = 0;
  const tasks = Array.from({ length: 10_000 }, () =>
    tasklet(() => {
      for (let i = 0; i < rounds; i++) {
        steps++;
        schedule();
      }
    })(),
  );
  const ticksAtStart = ticks;
  await finished(tasks);
  clearInterval(ticker);
  t.equal(steps, 10_000 * rounds, 'every tasklet ran every round');
  t.ok(ticks - ticksAtStart >= 5, `timers kept firing while they ran (${ticks - ticksAtStart} ticks)`);
  t.equal(getruncount(), 1);
  t.end();
});

t.test('an uncaught error from a tasklet woken by the event loop is an uncaught exception', (t) => {
  const child = runChild(fixture('uncaught.mjs'), [], [], {}, { timeout: 60_000 });
  t.equal(child.signal, null, child.stderr);
  t.equal(child.status, 0, child.stderr);
  t.same(JSON.parse(child.stdout.trim()), { uncaught: 'failed after a timer' });
  t.end();
});

t.test('finished(): resolves when every tasklet has ended, however it ended', async (t) => {
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);
  events.on('error', onError);
  const ok = tasklet(() => sleep(5))();
  const failing = tasklet(() => {
    sleep(10);
    throw new Error('boom');
  })();
  const killed = tasklet(() => sleep(1_000_000))();
  setTimeout(() => killed.kill(), 15);
  let resolved = false;
  const done = finished([ok, failing, killed]).then(() => (resolved = true));
  await new Promise((resolve) => setTimeout(resolve, 8));
  t.notOk(resolved, 'pending while some are alive');
  await done;
  events.off('error', onError);
  t.ok(!ok.alive && !failing.alive && !killed.alive);
  t.match(errors, [{ message: 'boom' }], 'the failure was still reported');
  await finished([]);
  await finished([ok]);
  t.throws(() => finished(42 as never), TypeError);
  t.throws(() => finished([{}] as never), TypeError);
  t.end();
});
