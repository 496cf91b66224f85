// Waiting for a word of shared memory to change without blocking the thread.

type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

// ES2024 (Node >= 16 has it; the project's TypeScript lib is ES2023).
const waitAsync = (Atomics as unknown as { waitAsync(words: Int32Array, index: number, value: number, timeout: number): WaitAsyncResult }).waitAsync;

/** Waits pending in this thread, and the one timer that keeps its event loop alive while there are any. */
let pendingWaits = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;

function holdEventLoop(): void {
  if (pendingWaits++ > 0) return;
  if (keepAlive === undefined) keepAlive = setInterval(() => {}, 2 ** 30);
  else keepAlive.ref();
}

function releaseEventLoop(): void {
  if (--pendingWaits === 0) keepAlive!.unref();
}

/** A pending wait for a word of shared memory to change. */
export interface SharedWait {
  /** Resolves once the word no longer holds the value seen (true) or after the timeout (false). */
  readonly changed: Promise<boolean>;
  /** Stops keeping the thread alive for a wait its waiter gave up (killed, cancelled). */
  abandon(): void;
}

const settled: SharedWait = { changed: Promise.resolve(true), abandon() {} };
const timedOut: SharedWait = { changed: Promise.resolve(false), abandon() {} };

/**
 * Waits for `words[index]` to no longer hold `seen`, or for `timeout` ms.
 * Atomics.waitAsync does not keep Node's event loop alive, so a timer does
 * while a wait is pending: a thread whose only work is to wait for another
 * thread must not exit. One timer, ref'd and unref'd, serves every wait of
 * the thread (cheaper than a timer per wait). A wait that is given up must
 * be abandoned, or it would hold the thread until the word changes.
 */
export function waitForChange(words: Int32Array, index: number, seen: number, timeout: number | undefined): SharedWait {
  const result = waitAsync(words, index, seen, timeout ?? Infinity);
  if (!result.async) return result.value === 'timed-out' ? timedOut : settled;
  holdEventLoop();
  let holding = true;
  const release = () => {
    if (!holding) return;
    holding = false;
    releaseEventLoop();
  };
  return {
    changed: result.value.then((outcome) => {
      release();
      return outcome !== 'timed-out';
    }),
    abandon: release,
  };
}
