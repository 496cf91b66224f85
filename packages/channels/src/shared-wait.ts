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

/**
 * Resolves once `words[index]` no longer holds `seen` (true) or after
 * `timeout` ms (false). Atomics.waitAsync does not keep Node's event loop
 * alive, so a timer does while a wait is pending: a thread whose only work
 * is to wait for another thread must not exit. One timer, ref'd and unref'd,
 * serves every wait of the thread (cheaper than a timer per wait).
 */
export function waitForChange(words: Int32Array, index: number, seen: number, timeout: number | undefined): Promise<boolean> {
  const result = waitAsync(words, index, seen, timeout ?? Infinity);
  if (!result.async) return Promise.resolve(result.value !== 'timed-out');
  holdEventLoop();
  return result.value.then((outcome) => {
    releaseEventLoop();
    return outcome !== 'timed-out';
  });
}
