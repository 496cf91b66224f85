// Lifecycle events and debug logging of the scheduler.
import { EventEmitter } from 'eventemitter3';
import { pino } from 'pino';
import { settings } from '@stackless/greenlet/internal';

import type { Tasklet } from './tasklet.js';

/** What a `'blocking'` event reports (see `setBlockingThreshold()`). */
export interface BlockingEvent {
  /** The tasklet that ran the stretch (main for main's own code). */
  tasklet: Tasklet;
  /** How long the stretch had run when the threshold passed (at least the threshold). */
  elapsedMs: number;
  /** Where the code was running at that moment: frame lines, innermost first. */
  stack: string;
}

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
  /** Code ran past the threshold of `setBlockingThreshold()` without yielding. */
  blocking: [report: BlockingEvent];
}

type EventName = EventEmitter.EventNames<TaskletEvents>;
type Listener<E extends EventName> = EventEmitter.EventListener<TaskletEvents, E>;

/**
 * An EventEmitter that knows whether anyone listens, so the scheduler can skip
 * building and dispatching an event nobody hears: it is emitted on every block
 * and wake, and eventemitter3's lookup of an event costs about as much as a
 * channel transfer's own bookkeeping.
 */
export class TaskletEventEmitter extends EventEmitter<TaskletEvents> {
  /** Some event has a listener. */
  listening = false;

  override on<E extends EventName>(event: E, fn: Listener<E>, context?: unknown): this {
    super.on(event, fn, context);
    return this.#refresh();
  }

  override addListener<E extends EventName>(event: E, fn: Listener<E>, context?: unknown): this {
    super.addListener(event, fn, context);
    return this.#refresh();
  }

  override once<E extends EventName>(event: E, fn: Listener<E>, context?: unknown): this {
    super.once(event, fn, context);
    return this.#refresh();
  }

  override removeListener<E extends EventName>(event: E, fn?: Listener<E>, context?: unknown, once?: boolean): this {
    super.removeListener(event, fn, context, once);
    return this.#refresh();
  }

  override off<E extends EventName>(event: E, fn?: Listener<E>, context?: unknown, once?: boolean): this {
    super.off(event, fn, context, once);
    return this.#refresh();
  }

  override removeAllListeners(event?: EventName): this {
    super.removeAllListeners(event);
    return this.#refresh();
  }

  #refresh(): this {
    this.listening = this.eventNames().length > 0;
    return this;
  }
}

/** Lifecycle events of all tasklets of this thread. */
export const events = new TaskletEventEmitter();

/**
 * The level `STACKLESS_LOG` names. Anything else is a typo in a debug
 * setting, which must not take the application down: one warning, no log.
 */
export function logLevelFrom(setting: string | undefined): string {
  if (setting === undefined || setting === '') return 'silent';
  const level = setting.trim().toLowerCase();
  if (Object.hasOwn(pino.levels.values, level) || level === 'silent') return level;
  process.emitWarning(
    `STACKLESS_LOG=${JSON.stringify(setting)} is not a log level (use debug, trace, info, warn, error, fatal ` +
      'or silent); the tasklet scheduler log stays off',
    { code: 'STACKLESS_LOG_LEVEL' },
  );
  return 'silent';
}

/** What the scheduler logs through: pino's methods, the logger built at first use. */
export interface SchedulerLog {
  isLevelEnabled(level: string): boolean;
  debug(fields: object, message: string): void;
  trace(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * The level of `STACKLESS_LOG`, as the settings read it, checked once (the
 * warning for a value that is no level comes at most once).
 */
const level = logLevelFrom(settings.log);
let logger: pino.Logger | undefined;

function pinoLogger(): pino.Logger {
  logger ??= pino({ name: 'stackless:tasklets', level }, pino.destination(2));
  return logger;
}

/**
 * Structured debug log (pino, to stderr), silent unless `STACKLESS_LOG` names
 * a level: `debug` for lifecycle events, `trace` for every switch. pino and
 * its stderr stream are set up at the first message, not at import.
 */
export const log: SchedulerLog = {
  isLevelEnabled: (wanted) => level !== 'silent' && pino.levels.values[wanted]! >= pino.levels.values[level]!,
  debug: (fields, message) => pinoLogger().debug(fields, message),
  trace: (fields, message) => pinoLogger().trace(fields, message),
  warn: (fields, message) => pinoLogger().warn(fields, message),
};
export const logDebug = log.isLevelEnabled('debug');
export const logTrace = log.isLevelEnabled('trace');
