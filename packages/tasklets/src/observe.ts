// Lifecycle events and debug logging of the scheduler.
import { EventEmitter } from 'eventemitter3';
import { pino } from 'pino';

import type { Tasklet } from './tasklet.js';

/** Events of {@link events}. */
export interface TaskletEvents {
  created: [tasklet: Tasklet];
  /** Put in the run queue (not emitted by the rotation of `schedule()`). */
  scheduled: [tasklet: Tasklet];
  /** Blocked on a channel, a timer (`sleep`) or a promise (`wait`). */
  blocked: [tasklet: Tasklet, reason: string];
  finished: [tasklet: Tasklet];
  failed: [tasklet: Tasklet, error: unknown];
  /** An error no tasklet caught. With a listener here it is not raised in main. */
  error: [error: unknown, tasklet: Tasklet];
}

/** Lifecycle events of all tasklets of this thread. */
export const events = new EventEmitter<TaskletEvents>();

/**
 * Structured debug log (pino, to stderr), silent unless `STACKLESS_LOG` names
 * a level: `debug` for lifecycle events, `trace` for every switch.
 */
export const log = pino(
  { name: 'stackless:tasklets', level: process.env.STACKLESS_LOG || 'silent' },
  pino.destination(2),
);
export const logDebug = log.isLevelEnabled('debug');
export const logTrace = log.isLevelEnabled('trace');
