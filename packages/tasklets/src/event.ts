// An event flag for tasklets (gevent.event.Event, Python's threading.Event,
// Trio's Event): waiters block until it is set.
import type { AcquireOptions } from './lock.js';
import { wake } from './scheduler.js';
import { TIMED_OUT, WaitList, timeoutOption, waitIn } from './waiting.js';

let eventCount = 0;

/**
 * A flag tasklets can wait for. `set()` wakes every waiter, in the order
 * they began to wait; while it is set, `wait()` returns at once; `clear()`
 * resets it. `wait()` blocks only the calling tasklet (from main, the other
 * tasklets run meanwhile).
 *
 * @example
 * ```ts
 * const ready = new Event();
 * tasklet(() => { ready.wait(); serve(); })();
 * loadConfig();
 * ready.set();
 * ```
 */
export class Event {
  readonly #id = ++eventCount;
  #set = false;
  readonly #waiters = new WaitList();

  /** Sets the flag and wakes every waiter (first come, first woken). */
  set(): void {
    this.#set = true;
    // Waking only queues them: none runs before the last is woken.
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) wake(waiter.core, true);
  }

  /** Resets the flag: later waits block until the next `set()`. Waiters woken already stay woken. */
  clear(): void {
    this.#set = false;
  }

  /** Whether the flag is set. */
  get isSet(): boolean {
    return this.#set;
  }

  /**
   * Returns true at once if the flag is set; else blocks until `set()`
   * (true) or until `timeout` ms pass (false; with 0, at once). A blocking
   * wait is a cancellation point of the caller's scope.
   *
   * @throws DeadlockError when nothing could ever set it.
   */
  wait(options?: AcquireOptions): boolean {
    const timeout = timeoutOption(options, 'Event#wait()');
    if (this.#set) return true;
    if (timeout === 0) return false;
    return waitIn(this.#waiters, `wait on ${this}`, timeout) !== TIMED_OUT;
  }

  /** `Event#<n>`, as in `blocked on wait on Event#2`. */
  toString(): string {
    return `Event#${this.#id}`;
  }
}
