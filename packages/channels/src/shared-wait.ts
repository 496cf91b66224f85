// Waiting for a word of shared memory to change without blocking the thread.

type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

// ES2024 (Node >= 16 has it; the project's TypeScript lib is ES2023).
const waitAsync = (Atomics as unknown as { waitAsync(words: Int32Array, index: number, value: number, timeout: number): WaitAsyncResult }).waitAsync;

/**
 * Resolves once `words[index]` no longer holds `seen` (true) or after
 * `timeout` ms (false). Atomics.waitAsync does not keep Node's event loop
 * alive, so a timer does while the wait is pending: a thread whose only work
 * is to wait for another thread must not exit.
 */
export function waitForChange(words: Int32Array, index: number, seen: number, timeout: number | undefined): Promise<boolean> {
  const result = waitAsync(words, index, seen, timeout ?? Infinity);
  if (!result.async) return Promise.resolve(result.value !== 'timed-out');
  const keepAlive = setInterval(() => {}, 2 ** 30);
  return result.value.then((outcome) => {
    clearInterval(keepAlive);
    return outcome !== 'timed-out';
  });
}
