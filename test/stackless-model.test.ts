// Model-based property test: random programs of tasklets and channel
// operations run on the real packages and on the reference model
// (test/stackless-model/model.ts, written from Stackless' and Go's rules);
// the traces (who completed which operation, in which order, with what
// result) and the final state must be the same. A failure shrinks to a small
// program, printed as a regression test to paste below.
//   STACKLESS_MODEL_RUNS=100000 STACKLESS_MODEL_SEED=42 node scripts/test.js test/stackless-model.test.ts
import t from 'tap';
import fc from 'fast-check';
import { getruncount } from '@stackless/tasklets';

import { programs } from './stackless-model/arbitrary.js';
import { runModel } from './stackless-model/model.js';
import { type Program, asRegressionTest } from './stackless-model/program.js';
import { runReal } from './stackless-model/real.js';

const runs = Number(process.env.STACKLESS_MODEL_RUNS ?? 2000);

function check(seed: number, numRuns: number) {
  fc.assert(
    fc.property(programs, (program) => {
      const expected = runModel(program);
      const actual = runReal(program);
      if (getruncount() !== 1) throw new Error(`the real run left ${getruncount()} runnable`);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new Error(
          `real and model differ\nreal:  ${JSON.stringify(actual)}\nmodel: ${JSON.stringify(expected)}\n\n${asRegressionTest(program)}`,
        );
      }
    }),
    { seed, numRuns },
  );
}

t.test(`${runs} programs, fixed seed`, (t) => {
  const seed = Number(process.env.STACKLESS_MODEL_SEED ?? 20261202);
  t.doesNotThrow(() => check(seed, runs), `seed ${seed}`);
  t.end();
});

t.test(`${Math.min(runs, 1000)} programs, random seed`, (t) => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  t.comment(`random seed ${seed} (STACKLESS_MODEL_SEED=${seed} repeats it)`);
  t.doesNotThrow(() => check(seed, Math.min(runs, 1000)), `seed ${seed}`);
  t.end();
});

// Regressions found by this test, shrunk:
const regressions: Array<[string, Program]> = [];
for (const [name, program] of regressions) {
  t.test(name, (t) => {
    t.same(runReal(program), runModel(program));
    t.end();
  });
}
