import type { Greenlet } from '@stackless/greenlet';

/**
 * What a generator's body needs to yield. It deliberately leads nowhere near
 * the body's own greenlet: a frame suspended in yieldValue() holds it, and a
 * path back to the greenlet would keep an abandoned generator reachable from
 * its own stack (optimising compilers can keep dead locals in a frame, so
 * even a value used only briefly counts).
 */
export interface GeneratorRecord {
  /** The greenlet iterating the generator: where yields go. */
  consumer: Greenlet | undefined;
  /** The generator whose body is iterating this one, if any (for `level` > 1). */
  outer: GeneratorRecord | undefined;
  /** A `next()`, `throw()` or `return()` of this generator is under way. */
  executing: boolean;
}

/** The generator whose body is running now, maintained by each resumption. */
export const running: { body: GeneratorRecord | undefined } = { body: undefined };

/** A value yielded past the receiving generator, `level` more to go. */
export class Relay {
  constructor(
    readonly value: unknown,
    readonly level: number,
  ) {}
}

/**
 * Carries a non-Error value thrown with `generator.throw(value)` through
 * `Greenlet.throw`, which takes Errors only; unwrapped where it lands.
 */
export class ThrownValue extends Error {
  constructor(readonly value: unknown) {
    super('value thrown into a generator');
  }
}

export function carry(error: unknown): Error {
  return error instanceof Error ? error : new ThrownValue(error);
}

/** Switches (or throws) into a greenlet and unwraps a ThrownValue that comes back. */
export function resumeUnwrapping(resume: () => unknown): unknown {
  try {
    return resume();
  } catch (error) {
    throw error instanceof ThrownValue ? error.value : error;
  }
}
