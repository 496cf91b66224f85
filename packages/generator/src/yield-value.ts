import { type Greenlet, GreenletError, getcurrent } from '@stackless/greenlet';

import { records, resumeUnwrapping } from './record.js';

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
  const consumer = consumerAt(level);
  return resumeUnwrapping(() => consumer.switch(value)) as TNext;
}

/**
 * The greenlet to switch to for a yield at `level`. A separate function so
 * that no frame suspended in yieldValue() holds the generator's own greenlet.
 */
function consumerAt(level: number): Greenlet {
  if (!Number.isInteger(level) || level < 1) {
    throw new RangeError(`yieldValue() level must be a whole number >= 1, not ${String(level)}`);
  }
  let record = records.get(getcurrent());
  if (record === undefined) {
    throw new GreenletError('yieldValue() was called outside a generator: call it below a function made with generator()');
  }
  for (let depth = 1; depth < level; depth++) {
    const outer = records.get(record.greenlet.parent!);
    if (outer === undefined) {
      throw new GreenletError(
        `yieldValue(value, ${level}) needs ${level} enclosing generators but there ${depth === 1 ? 'is 1' : `are ${depth}`}`,
      );
    }
    outer.child = record;
    record = outer;
  }
  return record.greenlet.parent!;
}
