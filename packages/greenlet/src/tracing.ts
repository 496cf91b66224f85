import type { Greenlet } from './greenlet.js';

/** `'throw'` when the target resumes to an error thrown into it, else `'switch'`. */
export type TraceEvent = 'switch' | 'throw';

/**
 * Called in the target greenlet just before it resumes. If it throws, the
 * tracer is removed and its error is thrown in the target instead.
 */
export type Tracer = (event: TraceEvent, origin: Greenlet, target: Greenlet) => void;

let tracer: Tracer | null = null;

/**
 * Installs `fn` as this thread's greenlet tracer (or removes it with `null`)
 * and returns the previous one.
 */
export function settrace(fn: Tracer | null): Tracer | null {
  if (fn !== null && typeof fn !== 'function') {
    throw new TypeError(`settrace() takes a function or null, not ${typeof fn}`);
  }
  const previous = tracer;
  tracer = fn;
  return previous;
}

/** The tracer installed with {@link settrace}, or `null`. */
export function gettrace(): Tracer | null {
  return tracer;
}
