import { Greenlet, GreenletExit, getcurrent } from '@stackless/greenlet';

import { type GeneratorRecord, ThrownValue, records, resumeUnwrapping } from './record.js';

/**
 * Sent by `return(value)` into the deepest generator still suspended for it;
 * escaping a body it finishes that generator. Every generator between there
 * and the one whose return() was called rethrows it, so that they all unwind.
 */
class GeneratorReturn extends GreenletExit {
  constructor(readonly value: unknown) {
    super('generator return');
  }
}

// %IteratorPrototype%: gives [Symbol.iterator]() { return this } and, where
// Node has them, the iterator helpers (map, filter, take, ...).
const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object;

/**
 * A standard `Generator` whose body runs in a greenlet, so that functions it
 * calls can yield with {@link yieldValue}.
 */
class DeepGenerator<T, TReturn, TNext> implements Generator<T, TReturn, TNext> {
  #record: GeneratorRecord | undefined;
  #args: unknown[] | undefined;

  constructor(body: (...args: any[]) => TReturn, args: unknown[]) {
    const greenlet = new Greenlet(body);
    this.#record = { greenlet, child: undefined, executing: false };
    this.#args = args;
    records.set(greenlet, this.#record);
  }

  next(...[value]: [] | [TNext]): IteratorResult<T, TReturn> {
    const args = this.#args;
    this.#args = undefined;
    return this.#step((target) => (args !== undefined ? target.switch(...args) : target.switch(value)));
  }

  return(value: TReturn): IteratorResult<T, TReturn> {
    if (this.#record === undefined || this.#args !== undefined) return this.#finish(value);
    return this.#step((target) => target.throw(new GeneratorReturn(value)), true);
  }

  throw(error: unknown): IteratorResult<T, TReturn> {
    if (this.#record === undefined || this.#args !== undefined) {
      this.#finish(undefined as TReturn);
      throw error;
    }
    const carried = error instanceof Error ? error : new ThrownValue(error);
    return this.#step((target) => target.throw(carried));
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'Generator';
  }

  /**
   * Resumes the generator (or the descendant that yielded past it) and
   * reports the outcome. `closing`: this is the generator whose return() was
   * called, where a GeneratorReturn ends the unwinding.
   */
  #step(resume: (target: Greenlet) => unknown, closing = false): IteratorResult<T, TReturn> {
    const record = this.#record;
    if (record === undefined) return { value: undefined as TReturn, done: true };
    if (record.executing) throw new TypeError('Generator is already running');
    record.executing = true;
    let result: unknown;
    try {
      record.greenlet.parent = getcurrent();
      const target = takeDeepestChild(record);
      result = resumeUnwrapping(() => resume(target));
    } catch (error) {
      if (record.greenlet.dead) this.#record = undefined;
      throw error;
    } finally {
      record.executing = false;
    }
    if (!record.greenlet.dead) return { value: result as T, done: false };
    if (!(result instanceof GeneratorReturn)) return this.#finish(result as TReturn);
    if (!closing) {
      // An ancestor's return() is unwinding through this generator's consumer.
      this.#finish(undefined as TReturn);
      throw result;
    }
    return this.#finish(result.value as TReturn);
  }

  #finish(value: TReturn): IteratorResult<T, TReturn> {
    // An unstarted body's greenlet holds nothing native: dropping it is enough.
    this.#record = undefined;
    this.#args = undefined;
    return { value, done: true };
  }
}
Object.setPrototypeOf(DeepGenerator.prototype, IteratorPrototype);

/** The greenlet to resume for `record`: itself, or the deepest descendant that yielded past it. */
function takeDeepestChild(record: GeneratorRecord): Greenlet {
  let deepest = record;
  while (deepest.child !== undefined) {
    const next = deepest.child;
    deepest.child = undefined;
    deepest = next;
  }
  return deepest.greenlet;
}

/**
 * Makes a generator function from an ordinary one: calling the result with
 * `fn`'s arguments returns a standard `Generator` (usable with `for...of`,
 * spread, `Array.from`, `return()`, `throw()`). `fn` runs when the generator
 * is first advanced, and anything it calls, however deep, can produce values
 * with {@link yieldValue}. What `fn` returns is the generator's return value.
 *
 * @example
 * ```ts
 * const leaves = generator((tree: Tree) => walk(tree)); // walk() calls yieldValue(leaf)
 * for (const leaf of leaves(tree)) console.log(leaf);
 * ```
 */
export function generator<T = unknown, TReturn = unknown, TNext = unknown, A extends unknown[] = any[]>(
  fn: (...args: A) => TReturn,
): (...args: A) => Generator<T, TReturn, TNext> {
  if (typeof fn !== 'function') {
    throw new TypeError(`generator() takes a function, not ${fn === null ? 'null' : typeof fn}`);
  }
  return (...args: A) => new DeepGenerator<T, TReturn, TNext>(fn, args);
}
