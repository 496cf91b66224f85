// A timer for any finite delay. Node's setTimeout() fires after 1 ms when
// given more than 2^31 - 1 ms (with only a warning); this one waits out the
// delay in steps that setTimeout() can take.
import { describeValue as describe } from '@stackless/greenlet/internal';

const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Calls `onExpiry` once `ms` milliseconds (finite, >= 0) have passed, from
 * the event loop; returns a function that cancels it. Blocking operations
 * with a timeout are built on it.
 */
export function startTimer(ms: number, onExpiry: () => void): () => void {
  if (typeof ms !== 'number') throw new TypeError(`startTimer() takes a number of milliseconds, not ${describe(ms)}`);
  if (!(ms >= 0) || ms === Infinity) {
    throw new RangeError(`startTimer() takes a finite number of milliseconds >= 0, not ${ms}`);
  }
  if (typeof onExpiry !== 'function') throw new TypeError(`startTimer() takes a function to call, not ${describe(onExpiry)}`);
  let timer: NodeJS.Timeout;
  const due = performance.now() + ms;
  const wait = (remaining: number) => {
    timer = setTimeout(() => {
      const left = due - performance.now();
      if (remaining > LONGEST_TIMEOUT_MS && left > 0) wait(left);
      else onExpiry();
    }, Math.min(remaining, LONGEST_TIMEOUT_MS));
  };
  wait(ms);
  return () => clearTimeout(timer);
}
