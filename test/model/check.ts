// The property: every generated program leaves the same trace on the real
// packages as on the model. A failure is shrunk by fast-check and reported
// as a ready-to-paste regression test.
import fc from 'fast-check';

import { type GenerateOptions, programArbitrary } from './generate.js';
import { runModel } from './model.js';
import type { Program } from './program.js';
import { regressionTest, runReal } from './real.js';
import { firstDifference } from './trace.js';
import type { Quirk } from './quirks.js';

export interface Comparison {
  real: string[];
  model: string[];
  /** First line where they differ, -1 if they agree. */
  at: number;
}

/** What each op of the real run ended with, by "who #pc": the model asks it which case a select took. */
function outcomes(real: readonly string[]): Map<string, string> {
  const byOp = new Map<string, string>();
  for (const line of real) {
    const m = /^(\S+ #\d+) -> (.*)$/.exec(line);
    if (m) byOp.set(m[1]!, m[2]!);
  }
  return byOp;
}

export function compare(program: Program, accepted: ReadonlySet<Quirk> = new Set()): Comparison {
  const real = runReal(program);
  const realOutcomes = outcomes(real);
  const model = runModel(program, (who, pc) => realOutcomes.get(`${who} #${pc}`), accepted);
  return { real, model, at: firstDifference(real, model) };
}

/** The two traces side by side around the first difference. */
export function describeDifference({ real, model, at }: Comparison, context = 12): string {
  const from = Math.max(0, at - context);
  const lines = [`first difference at trace line ${at}:`];
  const width = 56;
  lines.push(`${'real packages'.padEnd(width)} | model`);
  for (let i = from; i < Math.min(Math.max(real.length, model.length), at + 4); i++) {
    const mark = real[i] === model[i] ? ' ' : '*';
    lines.push(`${mark} ${(real[i] ?? '(end)').padEnd(width - 2)} | ${model[i] ?? '(end)'}`);
  }
  return lines.join('\n');
}

export interface CheckOptions extends GenerateOptions {
  numRuns: number;
  seed: number;
  /** fast-check's replay path, to go straight to a known counterexample. */
  path?: string;
  /** Departures of today's packages to reproduce in the model (triage only). */
  accepted?: ReadonlySet<Quirk>;
}

export interface CheckResult {
  failed: boolean;
  numRuns: number;
  seed: number;
  /** For a failure: what went wrong, the traces, and the regression test. */
  report?: string;
  counterexample?: Program;
}

export function checkPrograms(options: CheckOptions): CheckResult {
  const property = fc.property(programArbitrary(options), (program) => compare(program, options.accepted).at === -1);
  const details = fc.check(property, {
    numRuns: options.numRuns,
    seed: options.seed,
    ...(options.path !== undefined ? { path: options.path } : {}),
    // A thrown error in the runners is a failure too (and shrinks).
  });
  if (!details.failed) return { failed: false, numRuns: details.numRuns, seed: options.seed };
  const program = details.counterexample?.[0];
  if (program === undefined) {
    return { failed: true, numRuns: details.numRuns, seed: options.seed, report: fc.defaultReportMessage(details) ?? 'failed' };
  }
  let body: string;
  try {
    const comparison = compare(program, options.accepted);
    body =
      `channels: ${program.channels.map((c, i) => `c${i} capacity ${c.capacity} preference ${c.preference}`).join('; ')}\n` +
      describeDifference(comparison) +
      '\n\nregression test (expected = the model):\n\n' +
      regressionTest(program, comparison.model, `model: seed ${options.seed}, path ${details.counterexamplePath}`);
  } catch (error) {
    body = `the runners threw: ${(error as Error)?.stack ?? String(error)}`;
  }
  const report = [
    `model check failed after ${details.numRuns} programs (seed ${options.seed}, path ${details.counterexamplePath}, ${details.numShrinks} shrinks)`,
    body,
  ].join('\n');
  return { failed: true, numRuns: details.numRuns, seed: options.seed, report, counterexample: program };
}
