// Results of tasklets: Tasklet#join (gevent's Greenlet.get/join, Go's
// errgroup Wait for one), and the end hook that delivers a tasklet's
// failure to whoever waits for it, so that it is reported only when nobody does.
import { GreenletExit } from '@stackless/greenlet';

import { SchedulerError, TaskletExit, TimeoutError } from './errors.js';
import { type TaskletCore, type TaskletScope, currentCore, wake } from './scheduler.js';
import type { Tasklet } from './tasklet.js';
import { TIMED_OUT, WaitList, timeoutOption, waitIn } from './waiting.js';

/** Options of {@link Tasklet.join}. */
export interface JoinOptions {
  /** Give up after this many milliseconds: `join()` throws {@link TimeoutError}. */
  timeout?: number;
}

/** A scope (scope.ts) that owns the tasklets it spawned, told when one ends. */
export interface ChildOwner extends TaskletScope {
  /** Returns true if it took `failure` (a child's error goes to its scope, never uncaught). */
  childEnded(core: TaskletCore, failure: unknown, failed: boolean): boolean;
}

/** How a dead tasklet ended, kept only when it is not "returned undefined". */
interface Outcome {
  readonly failed: boolean;
  readonly value: unknown;
}

const outcomes = new WeakMap<TaskletCore, Outcome>();
/** Tasklets blocked in join(), by the tasklet they join. */
const joiners = new WeakMap<TaskletCore, WaitList>();
/** How many tasklets have joiners: while none, a tasklet's end costs no lookup. */
let joinedCount = 0;

/** Whether `failure` (what escaped a tasklet) is an error, not a normal end by kill(). */
export function isFailure(failure: unknown): boolean {
  return failure !== undefined && !(failure instanceof TaskletExit) && !(failure instanceof GreenletExit);
}

/**
 * Delivers the outcome of a tasklet that has ended to its joiners and its
 * scope (the scheduler's `taskletEnded` hook); returns whether a failure was
 * delivered.
 */
export function deliverOutcome(core: TaskletCore, failure: unknown, value: unknown): boolean {
  const failed = isFailure(failure);
  if (failed) outcomes.set(core, { failed, value: failure });
  else if (failure === undefined && value !== undefined) outcomes.set(core, { failed, value });
  let delivered = false;
  // Joiners first: the scope's cancellation that may follow must not wake them with TaskletExit instead.
  if (joinedCount > 0) {
    const list = joiners.get(core);
    if (list !== undefined) {
      joiners.delete(core);
      joinedCount--;
      // Every tasklet waiting gets the outcome, as with gevent's joinall().
      for (let waiter = list.shift(); waiter !== undefined; waiter = list.shift()) {
        if (failed) wake(waiter.core, undefined, { error: failure });
        else wake(waiter.core, failure === undefined ? value : undefined);
        delivered = true;
      }
    }
  }
  const owner = core.scope as Partial<ChildOwner> | undefined;
  if (owner?.childEnded !== undefined && owner.childEnded(core, failure, failed)) delivered = true;
  return delivered;
}

/**
 * `tasklet.join(options)`: blocks the calling tasklet until `tasklet` has
 * ended (main runs the other tasklets meanwhile) and returns what its
 * function returned, or throws what it threw. A failure delivered this way
 * is not also reported as uncaught; one that ended while nobody was
 * joining was reported then, and a later join throws it again. A tasklet
 * ended by kill() joins as `undefined`. On a dead tasklet join returns or
 * throws at once, letting no other tasklet run.
 *
 * @throws TimeoutError after `timeout` ms (at once for 0 on a live tasklet).
 * @throws SchedulerError joining itself or the main tasklet, which would wait forever.
 * @throws DeadlockError when nothing is left that could end `tasklet`.
 */
export function joinTasklet(tasklet: Tasklet, options?: JoinOptions): unknown {
  const timeout = timeoutOption(options, 'join()');
  const core = tasklet.core;
  if (core.dead) {
    const outcome = outcomes.get(core);
    if (outcome?.failed) throw outcome.value;
    return outcome?.value;
  }
  if (core === currentCore()) throw new SchedulerError('join(): a tasklet cannot join itself: it would wait forever');
  if (core.isMain) throw new SchedulerError('join(): the main tasklet never ends, so joining it would wait forever');
  if (timeout === 0) throw new TimeoutError(`join() of ${describeTasklet(tasklet)}: it has not ended (timeout 0)`);
  let list = joiners.get(core);
  if (list === undefined) {
    list = new WaitList();
    joiners.set(core, list);
    joinedCount++;
  }
  let result: unknown;
  try {
    result = waitIn(list, `join of ${describeTasklet(tasklet)}`, timeout);
  } finally {
    if (list.length === 0 && joiners.get(core) === list) {
      joiners.delete(core);
      joinedCount--;
    }
  }
  if (result === TIMED_OUT) throw new TimeoutError(`join() of ${describeTasklet(tasklet)} timed out after ${timeout} ms`);
  return result;
}

/** "tasklet 7" once tasklets have ids (a parallel change adds them), else its function's name. */
export function describeTasklet(tasklet: Tasklet): string {
  const id = (tasklet as { id?: unknown }).id;
  if (typeof id === 'number') return `tasklet ${id}`;
  return `tasklet ${tasklet.core.fn?.name || '(anonymous)'}`;
}
