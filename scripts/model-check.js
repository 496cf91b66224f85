// Checks many generated programs against the reference model (test/model):
//   node scripts/model-check.js [--runs 100000] [--seed N] [--path P] [--accept quirk,...] [--max-tasklets 4] [--max-ops 6]
// Builds nothing: run `pnpm run build` first. Prints the seed; on a failure,
// the shrunk program as a ready-to-paste tap test, and exits 1.
import { parseArgs } from 'node:util';

const { checkPrograms } = await import('../test/dist/model/check.js');
const { parseQuirks } = await import('../test/dist/model/quirks.js');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    path: { type: 'string' },
    accept: { type: 'string' },
    'max-tasklets': { type: 'string' },
    'max-ops': { type: 'string' },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
const options = {
  numRuns: Number(values.runs),
  seed,
  ...(values.path !== undefined ? { path: values.path } : {}),
  accepted: parseQuirks(values.accept),
  ...(values['max-tasklets'] !== undefined ? { maxTasklets: Number(values['max-tasklets']) } : {}),
  ...(values['max-ops'] !== undefined ? { maxOps: Number(values['max-ops']) } : {}),
};
console.log(`model check: ${options.numRuns} programs, seed ${seed}${values.accept ? `, accepting ${values.accept}` : ''}`);
const started = performance.now();
const result = checkPrograms(options);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (result.failed) {
  console.log(result.report);
  console.log(`model check: FAILED (seed ${seed}) in ${seconds} s`);
  process.exitCode = 1;
} else {
  console.log(`model check: ${result.numRuns} programs agree with the model (seed ${seed}) in ${seconds} s`);
}
