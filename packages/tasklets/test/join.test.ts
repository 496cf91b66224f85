// Tasklet#join, checked against gevent's Greenlet.join()/get(): get()
// returns the function's value or raises its exception; a killed greenlet
// gets GreenletExit as value (here: undefined); join(timeout) gives up
// (gevent returns, Greenlet.get raises Timeout: here TimeoutError).
import t from 'tap';
import {
  DeadlockError,
  SchedulerError,
  Tasklet,
  TimeoutError,
  events,
  finished,
  getcurrent,
  getmain,
  run,
  schedule,
  sleep,
  tasklet,
} from '@stackless/tasklets';
import { checkTaskletsAfterEach } from '@stackless/test-support/tasklets';

checkTaskletsAfterEach(t);

t.test('join() from main returns the value; the others run meanwhile', (t) => {
  const log: string[] = [];
  const worker = tasklet((a: number, b: number) => {
    log.push('worker');
    schedule();
    return a + b;
  })(2, 3);
  const other = tasklet(() => log.push('other'))();
  t.equal(worker.join(), 5);
  t.same(log, ['worker', 'other']);
  t.notOk(other.alive);
  t.end();
});

t.test('join() throws what the tasklet threw, and the error is not also reported as uncaught', (t) => {
  const reported: unknown[] = [];
  const onError = (error: unknown) => reported.push(error);
  const boom = new RangeError('boom');
  const failing = tasklet(() => {
    schedule();
    throw boom;
  })();
  // No 'error' listener: an uncaught failure would be thrown in main, here from join() itself or run().
  t.throws(() => failing.join(), boom);
  events.on('error', onError);
  try {
    run();
  } finally {
    events.off('error', onError);
  }
  t.same(reported, [], 'delivered once, to the joiner');
  t.end();
});

t.test('every tasklet joining gets the outcome', (t) => {
  const boom = new Error('boom');
  const target = tasklet(() => {
    schedule();
    schedule();
    throw boom;
  })();
  const seen: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    tasklet(() => {
      try {
        target.join();
      } catch (error) {
        seen.push(error);
      }
    })();
  }
  run();
  t.same(seen, [boom, boom, boom]);
  t.end();
});

t.test('a killed tasklet joins as undefined', (t) => {
  const victim = tasklet(() => {
    for (;;) schedule();
  })();
  const joiner = tasklet(() => victim.join())();
  schedule();
  victim.kill();
  run();
  t.equal(joiner.alive, false);
  t.equal(victim.join(), undefined);
  t.end();
});

t.test('throw() into a tasklet that never ran, which main joins: the thrower goes on before main gets the error', (t) => {
  // Found by the model (test/model): throw() into an unstarted tasklet kills
  // it without switching (tasklet_throw on a tasklet with no frame), and main,
  // woken as a joiner, waits for its turn at the end of the run queue like
  // any joiner; it used to run at once, ahead of the thrower.
  const log: string[] = [];
  const onError = () => log.push('reported as uncaught');
  events.on('error', onError);
  try {
    const paused = new Tasklet(() => log.push('ran')).bind(() => log.push('ran'), []);
    tasklet(() => {
      log.push('throw');
      paused.throw(new Error('into the unstarted'));
      log.push('the thrower goes on');
    })();
    try {
      paused.join();
    } catch (error) {
      log.push(`main joined: ${(error as Error).message}`);
    }
  } finally {
    events.off('error', onError);
  }
  t.same(log, ['throw', 'the thrower goes on', 'main joined: into the unstarted']);
  t.end();
});

t.test('on a dead tasklet join() returns or throws at once, letting nobody run', (t) => {
  const done = tasklet(() => 'value')();
  run();
  const log: string[] = [];
  tasklet(() => log.push('ran'))();
  t.equal(done.join(), 'value');
  t.equal(done.join(), 'value', 'again');
  t.same(log, [], 'nobody else ran');
  run();
  // One nobody joined was reported as uncaught when it ended (nothing could
  // know a join would come); a later join still throws it (gevent's get()).
  const boom = new Error('late');
  const failed = tasklet(() => {
    throw boom;
  })();
  t.throws(() => run(), boom);
  t.throws(() => failed.join(), boom);
  t.end();
});

t.test('join({ timeout }) throws TimeoutError; the joined tasklet goes on', async (t) => {
  let outcome: unknown;
  const sleeper = tasklet(() => {
    sleep(60);
    return 'late';
  })();
  const joiner = tasklet(() => {
    try {
      sleeper.join({ timeout: 10 });
    } catch (error) {
      outcome = error;
    }
  })();
  await finished([joiner]);
  t.type(outcome, TimeoutError);
  t.ok(sleeper.alive);
  await finished([sleeper]);
  t.equal(sleeper.join(), 'late');
  t.throws(() => tasklet(() => schedule())().join({ timeout: 0 }), TimeoutError, 'timeout 0: at once');
  t.end();
});

t.test('join() refuses what could never end, and bad options', (t) => {
  t.throws(() => getmain().join(), SchedulerError, 'main never ends');
  const self = tasklet(() => getcurrent().join())();
  t.throws(() => run(), SchedulerError, 'a tasklet joining itself');
  t.notOk(self.alive);
  const stuck = tasklet(() => getmain().join())();
  t.throws(() => run(), SchedulerError);
  t.notOk(stuck.alive);
  const idle = tasklet(() => {})();
  t.throws(() => idle.join({ timeout: -1 }), RangeError);
  t.throws(() => idle.join({ timeout: Number.NaN }), RangeError);
  t.throws(() => idle.join(null as never), TypeError);
  run();
  t.end();
});

t.test('joining a paused tasklet from main is a deadlock', (t) => {
  const paused = tasklet(() => 1)();
  paused.remove();
  t.throws(() => paused.join(), DeadlockError);
  paused.insert();
  t.equal(paused.join(), 1);
  t.end();
});
