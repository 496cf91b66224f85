// The native blocking-code watchdog (native/src/core/watchdog.h), for the tasklet
// scheduler's setBlockingThreshold(). Internal: exported by @stackless/greenlet/internal only.
import { core } from '@stackless/native';

/** What the watchdog saw: how long the stretch had run, and where. */
export interface BlockingReport {
  elapsedMs: number;
  /** The native coroutine that was running (0: the thread's own stack). */
  coroutine: number;
  /** Frame lines, as Greenlet#captureStack() gives them. */
  stack: string;
}

/**
 * 1 while a report waits to be taken: a byte the native core sets
 * and a scheduler reads on its switch path (one load, nothing more).
 */
// An explicit ArrayBuffer: its memory is off V8's heap and never moves (V8
// keeps a small typed array's own elements on the heap, where they can).
export const blockingReportPending = new Uint8Array(new ArrayBuffer(8), 0, 1);

/**
 * Turns the watchdog on (`ms` > 0) or off (`null`). `deliver` is
 * called from the event loop when a report waits and nobody took it at a
 * switch. `frameLimit` bounds each report's stack.
 */
export function watchBlocking(ms: number | null, frameLimit: number, deliver: () => void): void {
  core.setBlockingWatch(ms ?? 0, frameLimit, blockingReportPending, deliver);
}

/** The waiting report, if any; taking it clears the pending byte. */
export function takeBlockingReport(): BlockingReport | null {
  return core.takeBlockingReport();
}
