// Blocking on the event loop: only the calling tasklet waits, never the process.
import { describeValue as describe } from '@stackless/greenlet/internal';

import { events } from './observe.js';
import { type Blocker, block, currentCore, wake, wakesAt } from './scheduler.js';
import { Tasklet } from './tasklet.js';
import { startTimer } from './timer.js';

/**
 * Blocks the calling tasklet for `ms` milliseconds while other tasklets and
 * the event loop run.
 *
 * @throws SchedulerError when called from the main tasklet, whose stack runs
 *   the event loop itself.
 */
export function sleep(ms: number): void {
  if (typeof ms !== 'number') throw new TypeError(`sleep() takes a number of milliseconds, not ${describe(ms)}`);
  if (!(ms >= 0) || ms === Infinity) {
    throw new RangeError(`sleep() takes a finite number of milliseconds >= 0, not ${ms}`);
  }
  const self = currentCore();
  const stopTimer = startTimer(ms, () => wake(self, undefined));
  const blocker: Blocker & { [wakesAt]: number } = {
    reason: `sleep(${ms})`,
    state: 'sleeping',
    needsEventLoop: true,
    cancel: stopTimer,
    [wakesAt]: performance.now() + ms,
  };
  try {
    block(blocker);
  } catch (error) {
    stopTimer();
    throw error;
  }
}

/**
 * Blocks the calling tasklet until `promise` settles; returns its value or
 * throws its reason. A value that is not a promise is returned at once.
 *
 * @throws SchedulerError when called from the main tasklet.
 */
export function wait<T>(promise: T | PromiseLike<T>): T {
  if (!isThenable(promise)) return promise;
  const self = currentCore();
  let settled = false;
  let cancelled = false;
  const blocker: Blocker = {
    reason: 'wait(promise)',
    state: 'waiting on a promise',
    needsEventLoop: true,
    cancel: () => {
      cancelled = true;
    },
  };
  Promise.resolve(promise).then(
    (value) => {
      settled = true;
      if (!cancelled) wake(self, value);
    },
    (reason: unknown) => {
      settled = true;
      if (!cancelled) wake(self, undefined, { error: reason });
    },
  );
  try {
    return block(blocker) as T;
  } finally {
    if (!settled) cancelled = true;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * For code outside tasklets (async functions, tests): resolves once no
 * tasklet of `tasks` is alive any more, whether it finished, failed or was
 * killed. A failure is reported as always ('error' listeners, else raised in
 * main); this promise only says that they are done. Paused tasklets keep it
 * pending until they are inserted and end.
 *
 * @example
 * ```ts
 * const workers = urls.map((url) => tasklet(fetchAndStore)(url));
 * await finished(workers);
 * ```
 */
export function finished(tasks: Iterable<Tasklet>): Promise<void> {
  if (tasks === null || typeof (tasks as Iterable<Tasklet>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError('finished() takes an iterable of tasklets');
  }
  const pending = new Set<Tasklet>();
  for (const task of tasks) {
    if (!(task instanceof Tasklet)) throw new TypeError('finished() takes tasklets only');
    if (task.alive) pending.add(task);
  }
  if (pending.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const ended = (task: Tasklet) => {
      if (!pending.delete(task) || pending.size > 0) return;
      events.off('finished', ended);
      events.off('failed', ended);
      resolve();
    };
    events.on('finished', ended);
    events.on('failed', ended);
  });
}
