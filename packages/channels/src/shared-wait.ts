// Waiting for a word of shared memory to change without blocking the thread.

type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

// ES2024 (Node >= 16 has it; the project's TypeScript lib is ES2023).
const waitAsync = (Atomics as unknown as { waitAsync(words: Int32Array, index: number, value: number, timeout: number): WaitAsyncResult }).waitAsync;

/** A pending wait for a word of shared memory to change. */
export interface SharedWait {
  /** Resolves once the word no longer holds the value seen (true) or after the timeout (false). */
  readonly changed: Promise<boolean>;
  /** Stops keeping the thread alive for a wait its waiter gave up (killed, cancelled). */
  abandon(): void;
}

/**
 * Waits for `words[index]` to no longer hold `seen`, or for `timeout` ms.
 * Atomics.waitAsync does not keep Node's event loop alive, so a timer does
 * while the wait is pending: a thread whose only work is to wait for another
 * thread must not exit. A wait that is given up must be abandoned, or that
 * timer would keep the thread alive until the word changes.
 */
export function waitForChange(words: Int32Array, index: number, seen: number, timeout: number | undefined): SharedWait {
  const result = waitAsync(words, index, seen, timeout ?? Infinity);
  if (!result.async) return { changed: Promise.resolve(result.value !== 'timed-out'), abandon() {} };
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const abandon = () => clearInterval(keepAlive);
  return {
    changed: result.value.then((outcome) => {
      abandon();
      return outcome !== 'timed-out';
    }),
    abandon,
  };
}
