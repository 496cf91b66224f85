import { GreenletExit } from './errors.js';

// When a suspended greenlet is unwound: when nobody can switch to it any more,
// and when its thread ends. How is the switching machinery's business
// (greenlet.ts); this module only decides when, so it knows a greenlet's
// record by the little it reads.

/** What unwinding reads and marks on a greenlet's record. */
export interface UnwindableRecord {
  readonly dead: boolean;
  readonly started: boolean;
  /** Registered for unwinding when unreachable. */
  watched: boolean;
}

/** What unwinding asks of the switching machinery. */
export interface UnwindOperations<Record extends UnwindableRecord> {
  /** Throws `exit` into the suspended greenlet of `record`; the exit comes back to the caller. */
  unwind(record: Record, exit: GreenletExit): void;
  /** Whether `record` is the running greenlet's. */
  isRunning(record: Record): boolean;
  /** The records of all started, not yet dead greenlets. */
  live(): Record[];
}

/**
 * Unwinds suspended greenlets so that their finally blocks run, as Python
 * does: those nobody can switch to any more (the handle was collected), and
 * those still suspended when the thread ends.
 */
export class Unwinding<Record extends UnwindableRecord> {
  readonly #operations: UnwindOperations<Record>;
  readonly #unreachable = new FinalizationRegistry<Record>((record) => this.#unwindUnreachable(record));

  constructor(operations: UnwindOperations<Record>) {
    this.#operations = operations;
  }

  /** From now on, `record`'s greenlet is unwound once `handle` is collected. */
  watch(handle: object, record: Record): void {
    record.watched = true;
    this.#unreachable.register(handle, record, record);
  }

  /** `record`'s greenlet has ended: nothing left to unwind. */
  forget(record: Record): void {
    this.#unreachable.unregister(record);
  }

  /**
   * Unwinds every greenlet still suspended, for the thread's end. Errors
   * thrown while unwinding are rethrown afterwards.
   */
  unwindAll(): void {
    const operations = this.#operations;
    const failures: unknown[] = [];
    // A few passes: finally blocks may start or park other greenlets.
    for (let pass = 0; pass < 3; pass++) {
      const suspended = operations.live().filter((record) => !operations.isRunning(record));
      if (suspended.length === 0) break;
      for (const record of suspended) {
        if (record.dead || operations.isRunning(record)) continue;
        try {
          this.#unwind(record);
        } catch (error) {
          failures.push(error);
        }
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'errors while unwinding greenlets at exit');
  }

  #unwindUnreachable(record: Record): void {
    if (record.dead || !record.started || this.#operations.isRunning(record)) return;
    this.#unwind(record);
  }

  #unwind(record: Record): void {
    record.watched = false;
    this.#operations.unwind(record, exitWithoutFrames());
  }
}

/**
 * A GreenletExit with no stack frames: the frames at hand are the unwinding
 * machinery's and whichever greenlet happened to run, which say nothing and
 * could keep it alive. A function that is never on the stack as the
 * capture's end skips every frame.
 */
function exitWithoutFrames(): GreenletExit {
  const exit = new GreenletExit();
  Error.captureStackTrace(exit, neverOnTheStack);
  return exit;
}

function neverOnTheStack(): void {}
