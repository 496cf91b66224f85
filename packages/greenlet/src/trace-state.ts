// This thread's greenlet tracer. A leaf module: greenlet.ts reads the tracer
// here, and tracing.ts (settrace(), gettrace(), typed with Greenlet) sets it,
// so that neither imports the other.

/** `'throw'` when the target resumes to an error thrown into it, else `'switch'`. */
export type TraceEvent = 'switch' | 'throw';

/** A tracer as stored; tracing.ts gives it its public type, with Greenlet arguments. */
export type StoredTracer = (event: TraceEvent, origin: any, target: any) => void;

let tracer: StoredTracer | null = null;

/** The installed tracer, or `null`. */
export function currentTracer(): StoredTracer | null {
  return tracer;
}

/** Installs `fn` (or removes the tracer with `null`); returns the previous one. */
export function replaceTracer(fn: StoredTracer | null): StoredTracer | null {
  const previous = tracer;
  tracer = fn;
  return previous;
}
