// Stackless' tasklet behaviours: lifecycle flags, round-robin order, run vs
// switch, kill and finally, tempval, runcount, errors and hooks.
import t from 'tap';
import { inspect } from 'node:util';
import {
  SchedulerError,
  Tasklet,
  TaskletExit,
  blockCurrentOn,
  events,
  getcurrent,
  getmain,
  getruncount,
  run,
  unblock,
  schedule,
  scheduleRemove,
  setScheduleCallback,
  tasklet,
} from '@stackless/tasklets';
import { checkTaskletsAfterEach } from '@stackless/test-support/tasklets';

checkTaskletsAfterEach(t);

t.test('lifecycle flags: unbound, paused, scheduled, dead', (t) => {
  const flags = (x: Tasklet) => ({ alive: x.alive, scheduled: x.scheduled, paused: x.paused, blocked: x.blocked });
  const task = new Tasklet();
  t.same(flags(task), { alive: false, scheduled: false, paused: false, blocked: false }, 'new, no function');
  task.bind(() => schedule());
  t.same(flags(task), { alive: false, scheduled: false, paused: false, blocked: false }, 'function bound, no arguments');
  task.bind(undefined, []);
  t.same(flags(task), { alive: true, scheduled: false, paused: true, blocked: false }, 'arguments bound: paused');
  task.insert();
  t.same(flags(task), { alive: true, scheduled: true, paused: false, blocked: false }, 'inserted');
  task.remove();
  t.same(flags(task), { alive: true, scheduled: false, paused: true, blocked: false }, 'removed');
  task.insert();
  run();
  t.same(flags(task), { alive: false, scheduled: false, paused: false, blocked: false }, 'finished');
  t.match(inspect(task), /<dead>/);
  t.end();
});

t.test('round-robin order among three tasklets', (t) => {
  const log: string[] = [];
  const worker = (name: string, rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      log.push(`${name}${i}`);
      schedule();
    }
  };
  tasklet(worker)('a', 3);
  tasklet(worker)('b', 2);
  tasklet(worker)('c', 3);
  t.equal(getruncount(), 4);
  run();
  t.same(log, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'c2']);
  t.end();
});

t.test('schedule() returns its argument, by default the current tasklet', (t) => {
  const seen: unknown[] = [];
  const task = tasklet(() => {
    seen.push(schedule());
    seen.push(schedule('value'));
  })();
  run();
  t.equal(seen[0], task);
  t.equal(seen[1], 'value');
  t.end();
});

t.test('tempval: set on a paused tasklet, received when it resumes', (t) => {
  let received: unknown;
  const task = tasklet(() => {
    received = scheduleRemove();
  })();
  run();
  t.ok(task.paused, 'scheduleRemove() paused it');
  task.tempval = 'handed over';
  task.insert();
  run();
  t.equal(received, 'handed over');
  t.end();
});

t.test('run() keeps the caller runnable; switch() pauses it', (t) => {
  const log: string[] = [];
  let outer!: Tasklet;
  const inner = new Tasklet(() => {
    log.push(`inner sees outer ${outer.scheduled ? 'scheduled' : 'paused'}`);
  }).bind(undefined, []);
  outer = tasklet(() => {
    inner.run();
    log.push('outer after run');
  })();
  run();
  t.same(log, ['inner sees outer scheduled', 'outer after run']);

  log.length = 0;
  const second = new Tasklet(() => log.push(`caller ${outer.paused ? 'paused' : 'runnable'}`)).bind(undefined, []);
  outer = tasklet(() => {
    second.switch();
    log.push('outer resumed');
  })();
  run();
  t.same(log, ['caller paused']);
  t.ok(outer.paused, 'switch() left the caller paused');
  outer.insert();
  run();
  t.same(log, ['caller paused', 'outer resumed']);
  t.end();
});

t.test('kill(): TaskletExit unwinds finally blocks and is not a failure', (t) => {
  const log: string[] = [];
  const failed: unknown[] = [];
  const onFailed = (_: Tasklet, error: unknown) => failed.push(error);
  events.on('failed', onFailed);
  const victim = tasklet(() => {
    try {
      for (;;) schedule();
    } finally {
      log.push('finally');
    }
  })();
  schedule(); // let it start
  t.ok(victim.alive);
  victim.kill();
  t.same(log, ['finally']);
  t.notOk(victim.alive);
  victim.kill(); // dead: nothing happens
  const neverRan = tasklet(() => log.push('ran'))();
  neverRan.kill();
  t.notOk(neverRan.alive, 'a tasklet killed before it ran is dead');
  run();
  t.same(log, ['finally'], 'and never runs');
  events.off('failed', onFailed);
  t.same(failed, []);
  t.end();
});

t.test('a tasklet may catch TaskletExit', (t) => {
  let caught = false;
  const task = tasklet(() => {
    try {
      schedule();
    } catch (error) {
      caught = error instanceof TaskletExit;
    }
  })();
  schedule();
  task.kill();
  t.ok(caught);
  t.notOk(task.alive);
  t.end();
});

t.test('throw() and raiseException() raise where the tasklet is suspended', (t) => {
  const got: string[] = [];
  const task = tasklet(() => {
    for (;;) {
      try {
        schedule();
      } catch (error) {
        got.push(`${(error as Error).name}: ${(error as Error).message}`);
        if (got.length === 2) return;
      }
    }
  })();
  schedule();
  task.throw(new TypeError('one'));
  task.raiseException(RangeError, 'two');
  t.same(got, ['TypeError: one', 'RangeError: two']);
  t.throws(() => task.throw(new Error('dead')), SchedulerError);
  t.end();
});

t.test('an uncaught error is thrown from run() in main', (t) => {
  tasklet(() => {
    throw new RangeError('from a tasklet');
  })();
  tasklet(() => schedule())();
  t.throws(() => run(), { name: 'RangeError', message: 'from a tasklet' });
  t.end();
});

t.test('with an error listener, the error goes there instead', (t) => {
  const seen: Array<[unknown, Tasklet]> = [];
  const listener = (error: unknown, task: Tasklet) => seen.push([error, task]);
  events.on('error', listener);
  const failing = tasklet(() => {
    throw new Error('reported');
  })();
  t.doesNotThrow(() => run());
  events.off('error', listener);
  t.equal(seen.length, 1);
  t.equal((seen[0]![0] as Error).message, 'reported');
  t.equal(seen[0]![1], failing);
  t.end();
});

t.test('lifecycle events', (t) => {
  const log: string[] = [];
  const on = (name: 'created' | 'scheduled' | 'finished') => (task: Tasklet) =>
    log.push(`${name} ${task.isMain ? 'main' : 'task'}`);
  const listeners = (['created', 'scheduled', 'finished'] as const).map((name) => [name, on(name)] as const);
  for (const [name, listener] of listeners) events.on(name, listener);
  tasklet(() => {})();
  run();
  for (const [name, listener] of listeners) events.off(name, listener);
  t.same(log, ['created task', 'scheduled task', 'finished task']);
  t.end();
});

t.test('events reach listeners however they were added, and stop when removed', (t) => {
  // The scheduler skips emitting while nobody listens: every way of adding
  // and removing a listener must keep that knowledge right.
  const seen: string[] = [];
  const blocked = (_task: Tasklet, reason: string) => seen.push(`blocked ${reason}`);
  const scheduled = (task: Tasklet) => seen.push(`scheduled ${task.isMain ? 'main' : 'task'}`);
  const blockOnce = (reason: string) => {
    const task = tasklet(() => blockCurrentOn({ reason, cancel() {} }))();
    run();
    unblock(task);
    run();
  };
  t.equal(events.listening, false, 'nobody listens at first');
  events.once('blocked', blocked);
  t.equal(events.listening, true, 'once() counts');
  blockOnce('first');
  blockOnce('second');
  t.equal(events.listening, false, 'a once listener that has run is gone');
  events.addListener('scheduled', scheduled);
  blockOnce('third');
  events.removeAllListeners('scheduled');
  t.equal(events.listening, false, 'removeAllListeners(name)');
  events.on('blocked', blocked);
  events.on('scheduled', scheduled);
  blockOnce('fourth');
  events.removeAllListeners();
  blockOnce('fifth');
  t.same(seen, ['blocked first', 'scheduled task', 'scheduled task', 'scheduled task', 'blocked fourth', 'scheduled task']);
  t.equal(events.listening, false);
  t.end();
});

t.test('blockCurrentOn(): blocks on a caller-made blocker, cancel() runs when killed', (t) => {
  let cancelled = 0;
  const results: unknown[] = [];
  const blocker = { reason: 'a test record', cancel: () => cancelled++ };
  const waiter = tasklet(() => results.push(blockCurrentOn(blocker)))();
  run();
  t.ok(waiter.blocked, 'blocked');
  t.match(inspect(waiter), /a test record/, 'the reason shows');
  unblock(waiter, 'value');
  run();
  t.same(results, ['value'], 'woken with the value');
  const victim = tasklet(() => blockCurrentOn(blocker))();
  run();
  victim.kill();
  t.equal(cancelled, 1, 'killing a blocked tasklet cancels its blocker');
  t.throws(() => blockCurrentOn(null as never), TypeError);
  t.throws(() => blockCurrentOn({ reason: 1, cancel() {} } as never), TypeError);
  t.throws(() => blockCurrentOn({ reason: 'x' } as never), TypeError);
  t.end();
});

t.test('schedule callback sees every switch', (t) => {
  const main = getmain();
  const switches: string[] = [];
  const a = tasklet(() => schedule())();
  const b = tasklet(() => schedule())();
  const name = (task: Tasklet) => (task === main ? 'main' : task === a ? 'a' : 'b');
  t.equal(setScheduleCallback((from, to) => switches.push(`${name(from)}->${name(to)}`)), null);
  run();
  setScheduleCallback(null);
  // Main waits outside the run queue during run(), as in Stackless: the
  // tasklets pass control to each other, and main resumes when none is left.
  t.same(switches, ['main->a', 'a->b', 'b->a', 'a->b', 'b->main']);
  t.end();
});

t.test('a tasklet alone in run() goes on after schedule(), without a detour through main', (t) => {
  const main = getmain();
  const seen: number[] = [];
  tasklet(() => {
    for (let i = 0; i < 3; i++) seen.push(schedule(getruncount()) as number);
  })();
  let mainRan = 0;
  setScheduleCallback((_from, to) => {
    if (to === main) mainRan++;
  });
  run();
  setScheduleCallback(null);
  t.same(seen, [1, 1, 1], 'main is not counted while it waits in run()');
  t.equal(mainRan, 1, 'main resumed once, when the tasklet ended');
  t.equal(getruncount(), 1, 'main is back in the run queue');
  t.end();
});

t.test('main, current and runcount', (t) => {
  const main = getmain();
  t.ok(main.isMain);
  t.ok(main.isCurrent);
  t.equal(getcurrent(), main);
  t.equal(getruncount(), 1);
  let inside: Tasklet | undefined;
  const task = tasklet(() => {
    inside = getcurrent();
    t.notOk(main.isCurrent);
  })();
  t.equal(getruncount(), 2);
  run();
  t.equal(inside, task);
  t.end();
});

t.test('bad input gives typed errors', (t) => {
  t.throws(() => new Tasklet(42 as never), TypeError);
  t.throws(() => tasklet(42 as never), TypeError);
  t.throws(() => new Tasklet().setup(), SchedulerError, 'setup without a function');
  t.throws(() => new Tasklet().insert(), SchedulerError, 'insert while unbound');
  t.throws(() => new Tasklet(() => {}).bind(undefined, 'x' as never), TypeError);
  t.throws(() => getmain().setup(), SchedulerError, 'main cannot be set up');
  t.throws(() => getcurrent().remove(), SchedulerError, 'remove the current tasklet');
  const done = tasklet(() => {})();
  run();
  t.throws(() => done.insert(), SchedulerError, 'insert a dead tasklet');
  t.throws(() => done.run(), SchedulerError, 'run a dead tasklet');
  t.throws(() => done.bind(() => {}), SchedulerError, 'rebind a dead tasklet');
  t.throws(() => scheduleRemove(), { name: 'DeadlockError' }, 'main cannot pause itself with nothing else runnable');
  t.end();
});
