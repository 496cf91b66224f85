import type { Greenlet } from './greenlet.js';
import { type TraceEvent, currentTracer, replaceTracer } from './trace-state.js';

export type { TraceEvent } from './trace-state.js';

/**
 * Called in the target greenlet just before it resumes. If it throws, the
 * tracer is removed and its error is thrown in the target instead.
 */
export type Tracer = (event: TraceEvent, origin: Greenlet, target: Greenlet) => void;

/**
 * Installs `fn` as this thread's greenlet tracer (or removes it with `null`)
 * and returns the previous one.
 */
export function settrace(fn: Tracer | null): Tracer | null {
  if (fn !== null && typeof fn !== 'function') {
    throw new TypeError(`settrace() takes a function or null, not ${typeof fn}`);
  }
  return replaceTracer(fn) as Tracer | null;
}

/** The tracer installed with {@link settrace}, or `null`. */
export function gettrace(): Tracer | null {
  return currentTracer() as Tracer | null;
}
