// A mutual-exclusion lock for tasklets (gevent.lock.RLock's plain sibling,
// Go's sync.Mutex, Trio's Lock): first come, first served.
import { SchedulerError } from './errors.js';
import { type TaskletCore, currentCore } from './scheduler.js';
import { TIMED_OUT, WaitList, timeoutOption, waitIn, wakeFirst } from './waiting.js';

/** Options of `Lock#acquire()`, `Semaphore#acquire()` and `Event#wait()`. */
export interface AcquireOptions {
  /** Give up after this many milliseconds: the call returns false (0: at once, unless it need not wait). */
  timeout?: number;
}

let lockCount = 0;

/**
 * A lock held by one tasklet at a time. `acquire()` blocks only the calling
 * tasklet (from main, the other tasklets run meanwhile); waiters get the
 * lock in the order they asked, handed over by `release()` so that no
 * newcomer can take it first. Not reentrant.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * lock.acquire();
 * try { update(); } finally { lock.release(); }
 * ```
 */
export class Lock {
  readonly #id = ++lockCount;
  #holder: TaskletCore | undefined = undefined;
  readonly #waiters = new WaitList();

  /**
   * Takes the lock, blocking until it is free and every earlier waiter has
   * had it. Returns true, or false when `timeout` ms passed first. A
   * blocking acquire is a cancellation point of the caller's scope.
   *
   * @throws SchedulerError when the calling tasklet holds it already (it would wait forever).
   * @throws DeadlockError when nothing could ever release it.
   */
  acquire(options?: AcquireOptions): boolean {
    const timeout = timeoutOption(options, 'Lock#acquire()');
    const self = currentCore();
    if (this.#holder === undefined) {
      this.#holder = self;
      return true;
    }
    if (this.#holder === self) {
      throw new SchedulerError(`acquire(): the current tasklet holds ${this} already, and a Lock is not reentrant`);
    }
    if (timeout === 0) return false;
    // Handed the lock, then killed or cancelled before it ran: it passes on.
    return waitIn(this.#waiters, `acquire on ${this}`, timeout, () => this.#handOver()) !== TIMED_OUT;
  }

  /**
   * Releases the lock: the longest waiter holds it now (and runs in its
   * turn), or it is free.
   *
   * @throws SchedulerError unless the current tasklet holds it.
   */
  release(): void {
    if (this.#holder !== currentCore()) {
      throw new SchedulerError(
        this.#holder === undefined ? `release(): ${this} is not locked` : `release(): ${this} is held by another tasklet`,
      );
    }
    this.#handOver();
  }

  /** Held by some tasklet. */
  get locked(): boolean {
    return this.#holder !== undefined;
  }

  /** `Lock#<n>`, as in `blocked on acquire on Lock#2`. */
  toString(): string {
    return `Lock#${this.#id}`;
  }

  #handOver(): void {
    this.#holder = undefined;
    this.#holder = wakeFirst(this.#waiters, true);
  }
}
