/**
 * Stackless-style tasklets for Node.js: micro-threads on greenlets, run
 * round-robin by a scheduler that cooperates with the event loop. See
 * docs/tasklets.md.
 *
 * @packageDocumentation
 */
import './thread.js';

export { Tasklet } from './tasklet.js';
export {
  tasklet,
  run,
  schedule,
  scheduleRemove,
  getcurrent,
  getmain,
  getruncount,
  setScheduleCallback,
  getScheduleCallback,
} from './api.js';
export { sleep, wait, finished } from './event-loop.js';
export { startTimer } from './timer.js';
export { blockCurrent, blockCurrentOn, unblock, unblockAndRun, unblockThrow } from './blocking.js';
export { events, type TaskletEvents, type BlockingEvent } from './observe.js';
export { setBlockingThreshold } from './watchdog.js';
export { dumpTasklets } from './dump.js';
export { TaskletExit, SchedulerError, DeadlockError, TimeoutError } from './errors.js';
export type { JoinOptions } from './join.js';
export { scope, Scope, type ScopeOptions } from './scope.js';
export { Lock, type AcquireOptions } from './lock.js';
export { Semaphore } from './semaphore.js';
export { Event } from './event.js';
export type { Blocker, ScheduleCallback } from './scheduler.js';
