// fast-check generators of programs: a few channels of random capacity and
// preference, main and up to five tasklets, each a short list of operations.
import fc from 'fast-check';

import type { Op, Program } from './program.js';

const CHANNELS = 3;
const INITIAL_TASKLETS = 5;

function op(allowRunAll: boolean): fc.Arbitrary<Op> {
  const channel = fc.integer({ min: 0, max: CHANNELS - 1 });
  const target = fc.integer({ min: 1, max: INITIAL_TASKLETS + 2 });
  const value = fc.integer({ min: 1, max: 999 });
  const choices: Array<fc.WeightedArbitrary<Op>> = [
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('send' as const), channel, value }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('receive' as const), channel }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('select' as const),
        cases: fc.uniqueArray(fc.record({ channel, send: fc.option(value, { nil: undefined }) }, { requiredKeys: ['channel'] }), {
          minLength: 1,
          maxLength: 3,
          selector: (c) => c.channel,
        }),
      }),
    },
    { weight: 4, arbitrary: fc.constant({ kind: 'schedule' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'scheduleRemove' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('kill' as const), target }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('throw' as const), target }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), target }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('run' as const), target }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), channel }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('open' as const), channel }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('spawn' as const), program: fc.integer({ min: 0, max: 1 }) }) },
  ];
  if (allowRunAll) choices.push({ weight: 2, arbitrary: fc.constant({ kind: 'runAll' as const }) });
  return fc.oneof(...choices);
}

const ops = (allowRunAll: boolean, maxLength: number) => fc.array(op(allowRunAll), { maxLength });

export const programs: fc.Arbitrary<Program> = fc.record({
  channels: fc.array(
    fc.record({ capacity: fc.constantFrom(0, 0, 1, 2), preference: fc.constantFrom(-1, 0, 1) }),
    { minLength: CHANNELS, maxLength: CHANNELS },
  ),
  main: ops(true, 8),
  tasklets: fc.array(ops(false, 6), { maxLength: INITIAL_TASKLETS }),
  spawnable: fc.array(ops(false, 4), { minLength: 2, maxLength: 2 }),
});
