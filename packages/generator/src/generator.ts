import { Greenlet, GreenletExit, getcurrent } from '@stackless/greenlet';

import { type GeneratorRecord, Relay, carry, resumeUnwrapping, running } from './record.js';
import { yieldValue } from './yield-value.js';

/**
 * Sent by `return(value)` to where the generator is suspended (which may be
 * in a descendant that yielded past it); escaping a body it finishes that
 * generator. Every generator between there and the one whose return() was
 * called rethrows it, so that they all unwind.
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
  #greenlet: Greenlet | undefined;
  #record: GeneratorRecord = { consumer: undefined, outer: undefined, executing: false };
  #args: unknown[] | undefined;

  constructor(body: (...args: any[]) => TReturn, args: unknown[]) {
    this.#greenlet = new Greenlet(body);
    this.#args = args;
  }

  next(...[value]: [] | [TNext]): IteratorResult<T, TReturn> {
    DeepGenerator.#checkReceiver(this, 'next');
    const args = this.#args;
    this.#args = undefined;
    return this.#step((greenlet) => (args !== undefined ? greenlet.switch(...args) : greenlet.switch(value)));
  }

  return(value: TReturn): IteratorResult<T, TReturn> {
    DeepGenerator.#checkReceiver(this, 'return');
    if (this.#greenlet === undefined || this.#args !== undefined) return this.#finish(value);
    return this.#step((greenlet) => greenlet.throw(new GeneratorReturn(value)), true);
  }

  throw(error: unknown): IteratorResult<T, TReturn> {
    DeepGenerator.#checkReceiver(this, 'throw');
    if (this.#greenlet === undefined || this.#args !== undefined) {
      this.#finish(undefined as TReturn);
      throw error;
    }
    return this.#step((greenlet) => greenlet.throw(carry(error)));
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'Generator';
  }

  /**
   * The methods may be borrowed (`Generator.prototype.next.call(x)`), as
   * V8's own generators' may: without this check a foreign receiver would
   * get V8's message about a private field.
   */
  static #checkReceiver(receiver: unknown, method: string): void {
    if (typeof receiver === 'object' && receiver !== null && #record in receiver) return;
    throw new TypeError(
      `Generator.prototype.${method} called on ${describeReceiver(receiver)}, not on a generator made by generator()`,
    );
  }

  /**
   * Resumes the generator's body and reports the outcome. `closing`: this is
   * the generator whose return() was called, where a GeneratorReturn ends the
   * unwinding.
   */
  #step(resume: (greenlet: Greenlet) => unknown, closing = false): IteratorResult<T, TReturn> {
    const greenlet = this.#greenlet;
    if (greenlet === undefined) return { value: undefined as TReturn, done: true };
    const record = this.#record;
    if (record.executing) throw new TypeError('Generator is already running');
    record.executing = true;
    const outerBody = running.body;
    let result: unknown;
    try {
      greenlet.parent = getcurrent();
      record.consumer = greenlet.parent;
      record.outer = outerBody;
      running.body = record;
      result = resumeUnwrapping(() => resume(greenlet));
      while (result instanceof Relay && !greenlet.dead) {
        // A descendant yielded past this generator: pass the value on from
        // the consumer's side, then the answer (or error) back down.
        running.body = outerBody;
        let answer: unknown;
        let failure: { error: unknown } | undefined;
        try {
          answer = yieldValue(result.value, result.level);
        } catch (error) {
          failure = { error };
        }
        running.body = record;
        const relayed = failure;
        result = resumeUnwrapping(() => (relayed ? greenlet.throw(carry(relayed.error)) : greenlet.switch(answer)));
      }
    } catch (error) {
      if (greenlet.dead) this.#finish(undefined as TReturn);
      throw error;
    } finally {
      running.body = outerBody;
      record.executing = false;
    }
    if (!greenlet.dead) return { value: result as T, done: false };
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
    this.#greenlet = undefined;
    this.#args = undefined;
    return { value, done: true };
  }
}
Object.setPrototypeOf(DeepGenerator.prototype, IteratorPrototype);

function describeReceiver(receiver: unknown): string {
  if (receiver === null) return 'null';
  if (typeof receiver === 'object') {
    const name: unknown = (receiver as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object';
  }
  if (typeof receiver === 'function') return 'a function';
  if (typeof receiver === 'string') return 'a string';
  if (typeof receiver === 'symbol') return 'a symbol';
  return String(receiver);
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
