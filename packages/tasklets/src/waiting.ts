// Wait lists for join, Lock, Semaphore and Event: first come, first served,
// with an optional timeout, on the scheduler's one blocking primitive (so
// every wait is a cancellation point and counts for deadlock detection).
import { type Blocker, type TaskletCore, block, currentCore, wake } from './scheduler.js';
import { startTimer } from './timer.js';

/** What a timed wait returns when its time ran out. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/** A tasklet blocked in a {@link WaitList}: its blocker and its list node. */
export class Waiter implements Blocker {
  prev: Waiter | undefined = undefined;
  next: Waiter | undefined = undefined;
  /** The list it waits in; undefined once woken or taken out. */
  list: WaitList | undefined = undefined;
  stopTimer: (() => void) | undefined = undefined;
  /** Woken by wakeFirst(): it was handed what it waited for (a lock, a permit). */
  granted = false;

  constructor(
    readonly core: TaskletCore,
    readonly reason: string,
  ) {}

  /** Woken some other way (killed, cancelled, a deadlock): it leaves the list. */
  cancel(): void {
    this.list?.remove(this);
    this.stopTimer?.();
  }
}

/** Blocked tasklets, oldest first; a waiter leaves from anywhere in O(1). */
export class WaitList {
  #head: Waiter | undefined = undefined;
  #tail: Waiter | undefined = undefined;
  length = 0;

  push(waiter: Waiter): void {
    waiter.list = this;
    waiter.prev = this.#tail;
    if (this.#tail === undefined) this.#head = waiter;
    else this.#tail.next = waiter;
    this.#tail = waiter;
    this.length++;
  }

  remove(waiter: Waiter): void {
    if (waiter.list !== this) return;
    if (waiter.prev === undefined) this.#head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.#tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = waiter.next = waiter.list = undefined;
    this.length--;
  }

  /** Takes the oldest waiter out (its timer stopped), or undefined. */
  shift(): Waiter | undefined {
    const waiter = this.#head;
    if (waiter === undefined) return undefined;
    this.remove(waiter);
    waiter.stopTimer?.();
    return waiter;
  }
}

/**
 * Blocks the current tasklet in `list` until something takes it out with
 * {@link wakeFirst} (or `shift()` and `wake()`), and returns the value it was
 * woken with; or until `timeout` ms pass: then it returns {@link TIMED_OUT}.
 * If it is killed or cancelled after wakeFirst() handed it something but
 * before it ran, `giveBack()` is called so that nothing is leaked.
 */
export function waitIn(list: WaitList, reason: string, timeout: number | undefined, giveBack?: () => void): unknown {
  const waiter = new Waiter(currentCore(), reason);
  list.push(waiter);
  if (timeout !== undefined) {
    waiter.stopTimer = startTimer(timeout, () => {
      if (waiter.list !== list) return; // woken already
      list.remove(waiter);
      wake(waiter.core, TIMED_OUT);
    });
  }
  try {
    return block(waiter);
  } catch (error) {
    if (waiter.granted) giveBack?.();
    throw error;
  } finally {
    // Refused (deadlock, cancelled scope) or interrupted: out of the list.
    waiter.cancel();
  }
}

/** Wakes the oldest waiter of `list` with `value`; returns its tasklet, or undefined if none waits. */
export function wakeFirst(list: WaitList, value: unknown): TaskletCore | undefined {
  const waiter = list.shift();
  if (waiter === undefined) return undefined;
  waiter.granted = true;
  wake(waiter.core, value);
  return waiter.core;
}

/**
 * Reads `options.timeout` of a blocking operation: undefined, or a finite
 * number of milliseconds >= 0 (RangeError otherwise, naming the operation).
 */
export function timeoutOption(options: { timeout?: number } | undefined, operation: string): number | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${operation} takes an options object ({ timeout }), not ${options === null ? 'null' : typeof options}`);
  }
  const { timeout } = options;
  if (timeout === undefined) return undefined;
  if (typeof timeout !== 'number' || !(timeout >= 0) || timeout === Infinity) {
    throw new RangeError(`${operation}: timeout must be a finite number of milliseconds >= 0, not ${String(timeout)}`);
  }
  return timeout;
}
