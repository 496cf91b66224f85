// The module-level Stackless functions.
import * as scheduler from './scheduler.js';
import { Tasklet } from './tasklet.js';

/**
 * `tasklet(fn)(...args)`: creates a tasklet running `fn`, binds the
 * arguments and puts it at the end of the run queue, like Stackless'
 * `stackless.tasklet(fn)(*args)`.
 */
export function tasklet<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => Tasklet {
  if (typeof fn !== 'function') throw new TypeError(`tasklet() takes a function, not ${typeof fn}`);
  return (...args: A) => new Tasklet(fn).setup(...args);
}

/**
 * Runs the run queue round-robin until no tasklet but the caller is
 * runnable. Meanwhile the caller is out of the queue (as in Stackless), so
 * the tasklets pass control to each other without a detour through it.
 * Tasklets blocked on timers or promises are not waited for: they run from
 * the event loop when woken. An error no tasklet caught is thrown
 * from here (unless an `error` listener takes it).
 */
export function run(): void {
  scheduler.runUntilIdle();
}

/**
 * Lets the next runnable tasklet run; the caller goes to the end of the run
 * queue. Returns `value` (by default the current tasklet) when it runs again.
 */
export function schedule(...value: [] | [unknown]): unknown {
  return scheduler.schedule(value.length === 0 ? getcurrent() : value[0]);
}

/** Like {@link schedule}, but the caller leaves the run queue (paused) until inserted again. */
export function scheduleRemove(...value: [] | [unknown]): unknown {
  return scheduler.scheduleRemove(value.length === 0 ? getcurrent() : value[0]);
}

/** The running tasklet. */
export function getcurrent(): Tasklet {
  return scheduler.currentCore().tasklet;
}

/** The main tasklet: the thread's own code, including Node's event loop. */
export function getmain(): Tasklet {
  return scheduler.mainCore().tasklet;
}

/** How many tasklets are runnable, counting the current one, and main unless it waits in {@link run}. */
export function getruncount(): number {
  return scheduler.runCount();
}

export const setScheduleCallback = scheduler.setScheduleCallback;
export const getScheduleCallback = scheduler.getScheduleCallback;
