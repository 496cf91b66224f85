// Rules of Stackless' scheduler that examples written beside our code missed.
// Each expected order is Stackless' own (Stackless/module/taskletobject.c and
// scheduling.c, checked on a Stackless 3.7 build): the tasklet switched to
// becomes the head of the ring of runnables, inserted at its end first if it
// was not in it; a tasklet that ends hands over to the next in the ring.
import t from 'tap';
import { Greenlet, getcurrent as currentGreenlet } from '@stackless/greenlet';
import {
  DeadlockError,
  SchedulerError,
  Tasklet,
  TaskletExit,
  blockCurrent,
  getcurrent,
  getmain,
  getruncount,
  run,
  schedule,
  scheduleRemove,
  tasklet,
  wait,
} from '@stackless/tasklets';
import { checkTaskletsAfterEach } from '@stackless/test-support/tasklets';

checkTaskletsAfterEach(t);

t.test('a tasklet started by the end of another gets its own arguments', (t) => {
  const got: unknown[][] = [];
  const leaf = (...args: unknown[]) => {
    got.push(args);
    return 'a return value that is nobody\'s argument';
  };
  tasklet(leaf)('first', 1);
  tasklet(leaf)('second', 2);
  tasklet(leaf)();
  run();
  t.same(got, [['first', 1], ['second', 2], []]);
  t.end();
});

t.test('a tasklet started by the end of a killed one gets its own arguments', (t) => {
  const got: unknown[] = [];
  const failures: unknown[] = [];
  const victim = tasklet(() => schedule())();
  tasklet((x: unknown) => {
    got.push(x);
    throw new RangeError('ends badly');
  })('after a failure');
  tasklet((x: unknown) => got.push(x))('after that');
  const collect = (step: () => void) => {
    try {
      step();
    } catch (error) {
      failures.push(error);
    }
  };
  // The victim starts and waits in schedule(); the next one fails, and its
  // error is raised in main at once, at this schedule().
  collect(() => schedule());
  collect(() => victim.kill());
  collect(() => run());
  t.same(got, ['after a failure', 'after that']);
  t.equal(failures.length, 1);
  t.type(failures[0], RangeError);
  t.end();
});

t.test("`this` in a tasklet's function is undefined, not a scheduler record", (t) => {
  let seen: unknown = 'not called';
  tasklet(function (this: unknown) {
    seen = this;
  })();
  run();
  t.equal(seen, undefined);
  t.end();
});

t.test('run() on a runnable tasklet turns the ring to it: those ahead of it run after the caller', (t) => {
  const log: string[] = [];
  const [, b] = ['a', 'b', 'c'].map((name) => tasklet(() => log.push(name))());
  b!.run();
  log.push('main');
  run();
  t.same(log, ['b', 'c', 'main', 'a']);
  t.end();
});

t.test('run() on a paused tasklet puts it just ahead of the caller', (t) => {
  const log: string[] = [];
  tasklet(() => log.push('a'))();
  const paused = new Tasklet(() => log.push('paused')).bind(undefined, []);
  tasklet(() => log.push('c'))();
  paused.run();
  log.push('main');
  run();
  t.same(log, ['paused', 'main', 'a', 'c']);
  t.end();
});

t.test('switch() turns the ring to the target and takes the caller out', (t) => {
  const log: string[] = [];
  const tasks = ['a', 'b', 'c', 'd'].map((name) => tasklet(() => log.push(name))());
  tasks[1]!.switch();
  // Main was paused; it runs again once nothing else is runnable.
  log.push('main');
  t.same(log, ['b', 'c', 'd', 'a', 'main']);
  t.end();
});

t.test('kill() of a runnable tasklet turns the ring to it, as run() does', (t) => {
  const log: string[] = [];
  const looping = (name: string) => () => {
    try {
      for (;;) {
        log.push(name);
        schedule();
      }
    } catch (error) {
      log.push(`${name} ${error instanceof TaskletExit ? 'exits' : 'fails'}`);
      throw error;
    }
  };
  const a = tasklet(looping('a'))();
  const b = tasklet(looping('b'))();
  const c = tasklet(looping('c'))();
  schedule(); // a, b, c each run once; the ring is main, a, b, c again
  log.length = 0;
  b.kill();
  log.push('main');
  a.kill();
  c.kill();
  t.same(log, ['b exits', 'c', 'main', 'a exits', 'c', 'c exits']);
  t.end();
});

t.test('throw() into a tasklet that never ran: the error reaches main at once', (t) => {
  const victim = tasklet(() => t.fail('never runs'))();
  t.throws(() => victim.throw(new RangeError('from main')), RangeError, 'thrown from throw() itself in main');
  t.notOk(victim.alive);

  const log: string[] = [];
  const other = new Tasklet(() => t.fail('never runs')).bind(undefined, []);
  tasklet(() => {
    log.push('thrower');
    other.throw(new RangeError('from a tasklet'));
    log.push('thrower goes on');
  })();
  t.throws(() => run(), RangeError, 'main runs with the error as soon as the tasklet throws');
  t.same(log, ['thrower'], 'the thrower is still runnable, behind main');
  run();
  t.same(log, ['thrower', 'thrower goes on']);
  t.end();
});

t.test('getruncount() counts main after its blocking ended in a DeadlockError', (t) => {
  tasklet(() => schedule())();
  t.throws(() => blockCurrent('a wait nothing ends'), DeadlockError);
  t.equal(getruncount(), 1);
  t.equal(getcurrent(), getmain());
  t.ok(getmain().scheduled, 'main is in the run queue again');
  t.end();
});

t.test('main paused by switch() is runnable again once it runs', (t) => {
  tasklet(() => undefined)().switch();
  t.equal(getruncount(), 1);
  t.ok(getmain().scheduled);
  t.end();
});

t.test('setup() refuses a tasklet that is alive, bind() one that is scheduled', (t) => {
  const ran: string[] = [];
  const task = tasklet(() => ran.push('first'))();
  t.throws(() => task.setup(), { name: 'SchedulerError', message: /alive/ });
  t.throws(() => task.bind(() => ran.push('second')), { name: 'SchedulerError', message: /scheduled/ });
  t.throws(() => task.bind(undefined, []), { name: 'SchedulerError', message: /scheduled/ });

  const paused = new Tasklet(() => ran.push('paused')).bind(undefined, []);
  t.throws(() => paused.setup(), { name: 'SchedulerError', message: /alive/ });
  paused.bind(() => ran.push('rebound'));
  paused.insert();
  run();
  t.same(ran, ['first', 'rebound'], 'the set-up function ran; a paused tasklet can be rebound');
  t.end();
});

t.test('tasklet operations on a plain greenlet are refused, naming the mistake', (t) => {
  const attempts: Record<string, () => unknown> = {
    'schedule()': () => schedule(),
    'run()': () => run(),
    'wait()': () => wait(Promise.resolve(1)),
    'blockCurrent()': () => blockCurrent('a custom wait'),
    'kill()': () => tasklet(() => schedule())().kill(),
  };
  for (const [name, attempt] of Object.entries(attempts)) {
    let outcome: unknown;
    const parent = currentGreenlet();
    const plain = new Greenlet(() => {
      try {
        attempt();
        outcome = 'returned';
      } catch (error) {
        outcome = error;
      }
      return 'plain greenlet ended';
    });
    t.equal(plain.switch(), 'plain greenlet ended', `${name}: the greenlet is not left suspended`);
    t.ok(plain.dead);
    t.equal(currentGreenlet(), parent);
    t.type(outcome, SchedulerError, name);
    t.match((outcome as Error).message, /not a tasklet's own/, name);
  }
  // The tasklet the kill() attempt made is still runnable.
  run();
  t.end();
});

t.test('the same rule holds in a tasklet: its own greenlets cannot use the scheduler', (t) => {
  let outcome: unknown;
  tasklet(() => {
    new Greenlet(() => {
      try {
        schedule();
      } catch (error) {
        outcome = error;
      }
    }).switch();
    schedule(); // its own greenlet may
  })();
  run();
  t.type(outcome, SchedulerError);
  t.end();
});

t.test('a main that paused itself is revived when the last tasklet blocks, not deadlocked', (t) => {
  // Stackless' schedule_task_block: the tasklet stays blocked and main resumes.
  const log: string[] = [];
  const blocker = tasklet(() => {
    blockCurrent('a wait only main can end');
    log.push('tasklet woken');
  })();
  blocker.switch(); // main pauses itself
  log.push('main back');
  t.ok(blocker.blocked, 'the tasklet is still blocked');
  t.equal(getruncount(), 1, 'main is runnable again');
  const other = tasklet(() => {
    log.push('other runs');
    blockCurrent('another wait');
  })();
  scheduleRemove();
  log.push('main back again');
  t.same(log, ['main back', 'other runs', 'main back again']);
  t.equal(getruncount(), 1);
  blocker.kill();
  other.kill();
  t.end();
});
