import type { Greenlet } from '@stackless/greenlet';

/**
 * What a generator's consumer side knows about the greenlet that runs its
 * body. Reached from the generator object and, weakly, from the greenlet:
 * never from the body's own stack, so an abandoned generator can be unwound.
 */
export interface GeneratorRecord {
  readonly greenlet: Greenlet;
  /** A descendant that yielded past this generator (`level` > 1): resumed first. */
  child: GeneratorRecord | undefined;
  /** A `next()`, `throw()` or `return()` of this generator is under way. */
  executing: boolean;
}

/** The generator (if any) whose body a greenlet runs. */
export const records = new WeakMap<Greenlet, GeneratorRecord>();

/**
 * Carries a non-Error value thrown with `generator.throw(value)` through
 * `Greenlet.throw`, which takes Errors only; unwrapped where it lands.
 */
export class ThrownValue extends Error {
  constructor(readonly value: unknown) {
    super('value thrown into a generator');
  }
}

/** Switches (or throws) into a greenlet and unwraps a ThrownValue that comes back. */
export function resumeUnwrapping(resume: () => unknown): unknown {
  try {
    return resume();
  } catch (error) {
    throw error instanceof ThrownValue ? error.value : error;
  }
}
