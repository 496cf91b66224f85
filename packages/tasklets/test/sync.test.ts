// Lock, Semaphore and Event, checked against gevent.lock / gevent.event and
// Python's threading: acquire(timeout) returns False on timeout,
// Event.wait(timeout) returns the flag (False on timeout), set() wakes every
// waiter; Go's sync.Mutex: unlocking an unlocked mutex is an error; Trio's
// Lock is fair (FIFO) and refuses re-acquisition by its holder.
import t from 'tap';
import { inspect } from 'node:util';
import {
  DeadlockError,
  Event,
  Lock,
  SchedulerError,
  Semaphore,
  events,
  finished,
  run,
  schedule,
  sleep,
  tasklet,
} from '@stackless/tasklets';
import { checkTaskletsAfterEach } from '@stackless/test-support/tasklets';

checkTaskletsAfterEach(t);

t.test('Lock: waiters get it first come, first served, and no newcomer barges in', (t) => {
  const lock = new Lock();
  const order: string[] = [];
  t.equal(lock.acquire(), true);
  t.equal(lock.locked, true);
  for (const name of ['a', 'b', 'c']) {
    tasklet(() => {
      lock.acquire();
      order.push(name);
      schedule(); // held across a switch: the others must keep waiting
      order.push(`${name} done`);
      lock.release();
    })();
  }
  run();
  t.same(order, [], 'all waiting');
  lock.release();
  // A newcomer arriving while the waiters still queue must get in line.
  tasklet(() => {
    lock.acquire();
    order.push('late');
    lock.release();
  })();
  run();
  t.same(order, ['a', 'a done', 'b', 'b done', 'c', 'c done', 'late']);
  t.equal(lock.locked, false);
  t.end();
});

t.test('Lock from main: the other tasklets run while main waits', (t) => {
  const lock = new Lock();
  const log: string[] = [];
  tasklet(() => {
    lock.acquire();
    log.push('tasklet has it');
    schedule();
    log.push('tasklet releases');
    lock.release();
  })();
  schedule();
  t.equal(lock.acquire(), true);
  log.push('main has it');
  t.same(log, ['tasklet has it', 'tasklet releases', 'main has it']);
  lock.release();
  t.end();
});

t.test('Lock: release by a non-holder and re-acquire by the holder are SchedulerErrors', (t) => {
  const lock = new Lock();
  t.throws(() => lock.release(), SchedulerError, 'not locked');
  lock.acquire();
  t.throws(() => lock.acquire(), SchedulerError, 'not reentrant');
  const other = tasklet(() => lock.release())();
  t.throws(() => run(), SchedulerError, 'held by another tasklet');
  t.notOk(other.alive);
  lock.release();
  t.throws(() => lock.acquire({ timeout: -5 }), RangeError);
  t.end();
});

t.test('Lock: acquire({ timeout }) returns false and leaves the queue', async (t) => {
  const lock = new Lock();
  const results: boolean[] = [];
  const holder = tasklet(() => {
    lock.acquire();
    sleep(80);
    lock.release();
  })();
  const impatient = tasklet(() => {
    schedule();
    results.push(lock.acquire({ timeout: 10 }));
  })();
  const patient = tasklet(() => {
    schedule();
    schedule();
    results.push(lock.acquire());
    lock.release();
  })();
  await finished([holder, impatient, patient]);
  t.same(results, [false, true]);
  t.equal(lock.acquire({ timeout: 0 }), true, 'free: timeout 0 takes it');
  const t0 = tasklet(() => results.push(lock.acquire({ timeout: 0 })))();
  run();
  t.notOk(t0.alive);
  t.same(results, [false, true, false], 'held: timeout 0 gives up at once');
  lock.release();
  t.end();
});

t.test('Lock: a waiter killed after being handed the lock passes it on', (t) => {
  const lock = new Lock();
  lock.acquire();
  const log: string[] = [];
  const first = tasklet(() => {
    lock.acquire();
    log.push('first must not get it');
  })();
  const second = tasklet(() => {
    lock.acquire();
    log.push('second');
    lock.release();
  })();
  run();
  lock.release(); // hands it to `first`, which has not run yet
  first.kill();
  run();
  t.same(log, ['second']);
  t.notOk(lock.locked);
  t.notOk(second.alive);
  t.end();
});

t.test('Lock: waiting when nobody could release is a deadlock, as on a channel', (t) => {
  const lock = new Lock();
  lock.acquire();
  const waiter = tasklet(() => lock.acquire())();
  run();
  // As with channels: main, back from run(), could still release it.
  t.ok(waiter.blocked);
  lock.release();
  run();
  t.notOk(waiter.alive);
  t.ok(lock.locked, 'the tasklet ended holding it');
  t.throws(() => lock.acquire(), DeadlockError, 'main waiting for a lock nobody can release');
  t.throws(() => lock.acquire({ timeout: 1000 }), DeadlockError, 'a timeout makes no difference to main');
  const stuck = tasklet(() => lock.acquire())();
  const alsoStuck = tasklet(() => {
    schedule();
    lock.acquire({ timeout: 5 });
  })();
  // Main blocks on a tasklet that waits for the lock: the last one to block
  // finds nobody left to wake anybody (main waits; its timer could not fire).
  t.throws(() => stuck.join(), DeadlockError);
  t.notOk(alsoStuck.alive);
  stuck.kill();
  t.end();
});

t.test('Semaphore: at most `value` holders, FIFO, timeout', async (t) => {
  const slots = new Semaphore(2);
  let inside = 0;
  let most = 0;
  const order: number[] = [];
  const workers = [0, 1, 2, 3, 4, 5].map((n) =>
    tasklet(() => {
      slots.acquire();
      order.push(n);
      inside++;
      most = Math.max(most, inside);
      schedule();
      schedule();
      inside--;
      slots.release();
    })(),
  );
  run();
  t.equal(most, 2);
  t.same(order, [0, 1, 2, 3, 4, 5], 'in the order they asked');
  t.equal(slots.value, 2);
  t.ok(workers.every((w) => !w.alive));

  const none = new Semaphore(0);
  t.equal(none.acquire({ timeout: 0 }), false);
  const results: boolean[] = [];
  const waiter = tasklet(() => results.push(none.acquire({ timeout: 10 })))();
  await finished([waiter]);
  t.same(results, [false]);
  none.release();
  none.release();
  t.equal(none.value, 2, 'releases are not bounded');
  t.throws(() => new Semaphore(-1), RangeError);
  t.throws(() => new Semaphore(1.5), RangeError);
  t.end();
});

t.test('Semaphore: a waiter killed after being handed a permit gives it back', (t) => {
  const sem = new Semaphore(0);
  const log: string[] = [];
  const first = tasklet(() => {
    sem.acquire();
    log.push('first');
  })();
  tasklet(() => {
    sem.acquire();
    log.push('second');
  })();
  run();
  sem.release();
  first.kill();
  run();
  t.same(log, ['second']);
  t.equal(sem.value, 0);
  t.end();
});

t.test('Semaphore from main blocks main while tasklets run; a deadlock is reported', (t) => {
  const sem = new Semaphore(0);
  tasklet(() => {
    schedule();
    sem.release();
  })();
  t.equal(sem.acquire(), true);
  t.throws(() => sem.acquire(), DeadlockError, 'nobody left to release');
  t.throws(() => sem.acquire({ timeout: 1000 }), DeadlockError, 'a timeout makes no difference to main');
  t.end();
});

t.test('Event: set() wakes every waiter in order; wait() returns the flag', async (t) => {
  const ready = new Event();
  t.equal(ready.isSet, false);
  const woke: string[] = [];
  for (const name of ['a', 'b', 'c']) {
    tasklet(() => {
      woke.push(`${name}:${ready.wait()}`);
    })();
  }
  run();
  t.same(woke, []);
  ready.set();
  ready.clear(); // those woken stay woken
  run();
  t.same(woke, ['a:true', 'b:true', 'c:true']);
  t.equal(ready.isSet, false);
  const waited: boolean[] = [];
  const timed = tasklet(() => waited.push(ready.wait({ timeout: 10 })))();
  await finished([timed]);
  t.same(waited, [false]);
  t.equal(ready.wait({ timeout: 0 }), false);
  ready.set();
  t.equal(ready.wait(), true, 'set: at once, even from main');
  t.equal(ready.wait({ timeout: 0 }), true);
  t.end();
});

t.test('Event from main: tasklets run while main waits; nobody left to set it is a deadlock', (t) => {
  const done = new Event();
  tasklet(() => {
    schedule();
    done.set();
  })();
  t.equal(done.wait(), true);
  done.clear();
  t.throws(() => done.wait(), DeadlockError);
  t.end();
});

t.test('blocked tasklets say what they wait on (util.inspect, blocked events)', (t) => {
  const lock = new Lock();
  const sem = new Semaphore(0);
  const event = new Event();
  lock.acquire();
  const reasons: string[] = [];
  const onBlocked = (_tasklet: unknown, reason: string) => reasons.push(reason);
  events.on('blocked', onBlocked);
  const a = tasklet(function locker() {
    lock.acquire();
  })();
  const b = tasklet(() => sem.acquire())();
  const c = tasklet(() => event.wait())();
  const d = tasklet(() => a.join())();
  run();
  events.off('blocked', onBlocked);
  t.same(reasons, [`acquire on ${lock}`, `acquire on ${sem}`, `wait on ${event}`, reasons[3]]);
  t.match(reasons[3], /^join of tasklet /);
  t.match(String(lock), /^Lock#\d+$/);
  t.match(inspect(b), new RegExp(`blocked on acquire on ${sem}`));
  lock.release();
  sem.release();
  event.set();
  run();
  t.ok([a, b, c, d].every((x) => !x.alive));
  t.end();
});
