// setBlockingThreshold(): reports code that runs too long without a switch
// or an event-loop turn, from the native watchdog (no JavaScript runs while
// the code blocks; the report is delivered once it yields).
import { takeBlockingReport, watchBlocking } from '@stackless/greenlet/internal';

import { events, log } from './observe.js';
import { type TaskletCore, currentCore, label, raiseInMain } from './scheduler.js';

let threshold: number | null = null;

/**
 * Watches for code that runs `ms` milliseconds without a tasklet switch and
 * without returning to the event loop (in a tasklet, or in main's own code),
 * and reports each such stretch once: `events` emits `'blocking'` with
 * `{ tasklet, elapsedMs, stack }` (and a pino warning is logged when
 * `STACKLESS_LOG` is `warn` or finer). `elapsedMs` is how long the stretch
 * had run when the watchdog saw it pass `ms` (at least `ms`); `stack` is
 * where the code was running at that moment, as `captureStack()` gives it
 * (up to the `Error.stackTraceLimit` of this call). The report is delivered
 * when the code yields: at its next switch, or from the event loop. `null`
 * turns the watchdog off (the default).
 *
 * @returns the previous setting.
 */
export function setBlockingThreshold(ms: number | null): number | null {
  if (ms !== null && (typeof ms !== 'number' || !(ms > 0) || ms === Infinity)) {
    throw new RangeError(`setBlockingThreshold() takes a finite number of milliseconds > 0 or null, not ${String(ms)}`);
  }
  const previous = threshold;
  threshold = ms;
  watchBlocking(ms, frameLimit(), deliverFromEventLoop);
  return previous;
}

/** `Error.stackTraceLimit` as V8 applies it, read without calling a getter. */
function frameLimit(): number {
  const limit: unknown = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.value;
  if (typeof limit !== 'number' || !(limit > 0)) return 0;
  return limit >= 0xffffffff ? 0xffffffff : Math.floor(limit);
}

function deliverFromEventLoop(): void {
  reportBlocking(currentCore());
}

/**
 * Emits the waiting report for `core`, the tasklet that ran the stretch (the
 * one yielding now). A listener that throws has its error raised in main.
 */
export function reportBlocking(core: TaskletCore): void {
  const report = takeBlockingReport();
  if (report === null) return;
  const event = { tasklet: core.tasklet, elapsedMs: report.elapsedMs, stack: report.stack };
  if (log.isLevelEnabled('warn')) {
    log.warn({ tasklet: label(core), elapsedMs: Math.round(report.elapsedMs), stack: report.stack }, 'blocking');
  }
  try {
    events.emit('blocking', event);
  } catch (error) {
    raiseInMain(error);
  }
}
