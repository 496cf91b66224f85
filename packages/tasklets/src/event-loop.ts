// Blocking on the event loop: only the calling tasklet waits, never the process.
import { type Blocker, block, currentCore, wake } from './scheduler.js';

/**
 * Blocks the calling tasklet for `ms` milliseconds while other tasklets and
 * the event loop run.
 *
 * @throws SchedulerError when called from the main tasklet, whose stack runs
 *   the event loop itself.
 */
export function sleep(ms: number): void {
  if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) {
    throw new RangeError(`sleep() takes a finite number of milliseconds >= 0, not ${String(ms)}`);
  }
  const self = currentCore();
  let timer: NodeJS.Timeout | undefined;
  const blocker: Blocker = {
    reason: `sleep(${ms})`,
    needsEventLoop: true,
    cancel: () => clearTimeout(timer),
  };
  timer = setTimeout(() => wake(self, undefined), ms);
  try {
    block(blocker);
  } catch (error) {
    clearTimeout(timer);
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
