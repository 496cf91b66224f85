/** Thrown into a tasklet by `kill()`; escaping the tasklet it is not an error. */
export class TaskletExit extends Error {
  constructor(message = 'tasklet exit') {
    super(message);
    this.name = 'TaskletExit';
  }
}

/** A scheduler rule was broken: inserting a dead tasklet, blocking main on the event loop, ... */
export class SchedulerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerError';
  }
}

/** A tasklet tried to block when nothing could ever wake it. */
export class DeadlockError extends Error {
  /**
   * `dumpTasklets()` taken when the deadlock was found: every live tasklet,
   * its state and its stack. The tasklet that could not block shows the
   * operation it attempted.
   */
  readonly report: string;

  constructor(message: string, report = '') {
    super(message);
    this.name = 'DeadlockError';
    this.report = report;
  }
}

/**
 * A wait ran out of time: `join({ timeout })`, or a `scope()` whose
 * `timeout` passed (Trio's `TooSlowError`, Go's `context.DeadlineExceeded`).
 */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}
