// A counting semaphore for tasklets (gevent.lock.Semaphore, Go's
// x/sync/semaphore, Trio's Semaphore): first come, first served.
import { type AcquireOptions } from './lock.js';
import { TIMED_OUT, WaitList, timeoutOption, waitIn, wakeFirst } from './waiting.js';

let semaphoreCount = 0;

/**
 * A counter of permits. `acquire()` takes one, blocking only the calling
 * tasklet while there is none (from main, the other tasklets run
 * meanwhile); `release()` gives one back, handing it straight to the
 * longest waiter, so waiters are served in the order they asked. Any
 * tasklet may release, and releases are not bounded by the initial value.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(4);   // at most 4 downloads at a time
 * slots.acquire();
 * try { download(url); } finally { slots.release(); }
 * ```
 */
export class Semaphore {
  readonly #id = ++semaphoreCount;
  #value: number;
  readonly #waiters = new WaitList();

  /** @throws RangeError unless `value` is a whole number >= 0. */
  constructor(value = 1) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`new Semaphore(value): value must be a whole number >= 0, not ${String(value)}`);
    }
    this.#value = value;
  }

  /**
   * Takes a permit, blocking until one is free and every earlier waiter has
   * had one. Returns true, or false when `timeout` ms passed first. A
   * blocking acquire is a cancellation point of the caller's scope.
   *
   * @throws DeadlockError when nothing could ever release one.
   */
  acquire(options?: AcquireOptions): boolean {
    const timeout = timeoutOption(options, 'Semaphore#acquire()');
    // Newcomers queue behind waiters (a permit a waiter was handed is no longer counted).
    if (this.#value > 0) {
      this.#value--;
      return true;
    }
    if (timeout === 0) return false;
    // Handed a permit, then killed or cancelled before it ran: it goes back.
    return waitIn(this.#waiters, `acquire on ${this}`, timeout, () => this.release()) !== TIMED_OUT;
  }

  /** Gives a permit back: to the longest waiter, or to the count. */
  release(): void {
    if (wakeFirst(this.#waiters, true) === undefined) this.#value++;
  }

  /** Permits free now. */
  get value(): number {
    return this.#value;
  }

  /** `Semaphore#<n>`, as in `blocked on acquire on Semaphore#2`. */
  toString(): string {
    return `Semaphore#${this.#id}`;
  }
}
