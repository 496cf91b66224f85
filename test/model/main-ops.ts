// What main runs: the generated ops, then a final run() so every tasklet
// that can run does, the state to compare, and a kill of every tasklet so
// that nothing is left over for the next program. A killed tasklet still
// waiting for its scope's children (rule 1) ends only once they have, so a
// last run() lets it.
import type { Op, Program } from './program.js';

export function mainOps(program: Program): Op[] {
  return [
    ...program.main,
    { kind: 'runAll' },
    { kind: 'snapshot' },
    ...program.tasklets.map((t): Op => ({ kind: 'kill', target: t.name })),
    { kind: 'runAll' },
    { kind: 'snapshot' },
  ];
}
