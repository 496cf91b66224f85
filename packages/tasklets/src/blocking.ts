// The primitives synchronisation objects are built from (channels, locks,
// queues): block the current tasklet, and unblock a blocked one.
import { describeValue as describe } from '@stackless/greenlet/internal';

import { SchedulerError } from './errors.js';
import { type Blocker, block, currentCore, handOff, wake } from './scheduler.js';
import { Tasklet } from './tasklet.js';

/**
 * Blocks the current tasklet until {@link unblock} (or {@link unblockThrow})
 * names it; returns the value it is unblocked with, or throws the error.
 * `reason` appears in `blocked` events, `util.inspect` and deadlock messages
 * ("send on Channel ..."). `onCancel` runs if the tasklet is woken some other
 * way (killed, thrown into), so the caller can forget it.
 *
 * @throws DeadlockError (before blocking) when no other tasklet is runnable,
 *   so nothing could ever unblock it.
 */
export function blockCurrent(reason: string, onCancel: () => void = () => {}): unknown {
  if (typeof reason !== 'string') throw new TypeError('blockCurrent() takes a reason string');
  if (typeof onCancel !== 'function') throw new TypeError(`blockCurrent() takes onCancel as a function, not ${describe(onCancel)}`);
  return block({ reason, cancel: onCancel });
}

/**
 * {@link blockCurrent} for hot paths: `blocker` says why (`reason`) and how to
 * take the tasklet out of what it waits in (`cancel()`), so a synchronisation
 * object can block with one object of its own (its waiter record) instead of
 * a closure and a blocker per call.
 *
 * @throws DeadlockError (before blocking) when no other tasklet is runnable.
 */
export function blockCurrentOn(blocker: Blocker): unknown {
  if (typeof blocker !== 'object' || blocker === null || typeof blocker.reason !== 'string' || typeof blocker.cancel !== 'function') {
    throw new TypeError('blockCurrentOn() takes a blocker: { reason: string, cancel(): void }');
  }
  return block(blocker);
}

/** Makes a blocked tasklet runnable; its blockCurrent() returns `value`. */
export function unblock(tasklet: Tasklet, value?: unknown): void {
  wake(blockedCore(tasklet, 'unblock'), value);
}

/**
 * Unblocks `tasklet` and runs it at once; the caller runs again after every
 * tasklet that was runnable already. This is what a Stackless channel does
 * for the side its `preference` names.
 */
export function unblockAndRun(tasklet: Tasklet, value?: unknown): void {
  const core = blockedCore(tasklet, 'unblockAndRun');
  wake(core, value);
  handOff(core);
}

/**
 * Says that the value `tasklet` is about to be woken with (unblock(),
 * unblockAndRun()) is an error it will throw: a cancellation of its scope
 * then leaves it that error, as it leaves a wake error (no error is lost).
 */
export function markDeliveredError(tasklet: Tasklet): void {
  tasklet.core.deliveredError = true;
}

/**
 * unblock() (or, with `runNow`, unblockAndRun()) for a synchronisation object
 * that holds `tasklet` in its own waiting list, so knows it is blocked: none
 * of the public calls' checks, on the hot path of a channel transfer.
 */
export function wakeBlocked(tasklet: Tasklet, value: unknown, runNow: boolean): void {
  const core = tasklet.core;
  wake(core, value);
  if (runNow) handOff(core);
}

/** Makes a blocked tasklet runnable; its blockCurrent() throws `error`. */
export function unblockThrow(tasklet: Tasklet, error: unknown): void {
  wake(blockedCore(tasklet, 'unblockThrow'), undefined, { error });
}

function blockedCore(tasklet: Tasklet, operation: string) {
  if (!(tasklet instanceof Tasklet)) throw new TypeError(`${operation}() takes a Tasklet, not ${describe(tasklet)}`);
  const core = tasklet.core;
  if (core.blocker === undefined || core === currentCore()) {
    throw new SchedulerError(`${operation}(): the tasklet is not blocked`);
  }
  return core;
}

