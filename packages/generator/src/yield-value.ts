import { GreenletError } from '@stackless/greenlet';

import { Relay, resumeUnwrapping, running } from './record.js';

/**
 * Suspends the nearest enclosing generator (with `level` 2, the one enclosing
 * that, and so on), which produces `value` to its consumer. Works from any
 * depth of ordinary calls below the generator's function. Returns the value
 * the consumer passes to `next(value)`.
 *
 * @throws GreenletError outside any generator, or with fewer than `level`
 *   enclosing generators.
 */
export function yieldValue<TNext = unknown>(value: unknown, level = 1): TNext {
  if (typeof level !== 'number') throw new TypeError(`yieldValue() level must be a number, not ${typeof level}`);
  if (!Number.isInteger(level) || level < 1) {
    throw new RangeError(`yieldValue() level must be a whole number >= 1, not ${level}`);
  }
  const body = running.body;
  if (body === undefined) {
    throw new GreenletError('yieldValue() was called outside a generator: call it below a function made with generator()');
  }
  let enclosing = body;
  for (let depth = 1; depth < level; depth++) {
    if (enclosing.outer === undefined) {
      throw new GreenletError(
        `yieldValue(value, ${level}) needs ${level} enclosing generators but there ${depth === 1 ? 'is 1' : `are ${depth}`}`,
      );
    }
    enclosing = enclosing.outer;
  }
  const consumer = body.consumer!;
  // Past the nearest generator, each one on the way relays it further up.
  const sent = level === 1 ? value : new Relay(value, level - 1);
  return resumeUnwrapping(() => consumer.switch(sent)) as TNext;
}
