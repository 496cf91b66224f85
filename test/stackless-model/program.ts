// A generated program: main and tasklets as lists of operations on a few
// channels. The reference model and the real packages both run it and
// write the same kind of trace, which the property test compares.

export type Op =
  | { kind: 'send'; channel: number; value: number }
  | { kind: 'receive'; channel: number }
  /** Cases in order; `send` holds the value of a send case. */
  | { kind: 'select'; cases: Array<{ channel: number; send?: number }> }
  | { kind: 'schedule' }
  | { kind: 'scheduleRemove' }
  /** Targets are tasklet numbers in creation order (1 is the first); main is never a target. */
  | { kind: 'kill'; target: number }
  | { kind: 'throw'; target: number }
  | { kind: 'insert'; target: number }
  | { kind: 'run'; target: number }
  | { kind: 'close'; channel: number }
  | { kind: 'open'; channel: number }
  /** Creates a tasklet running `spawnable[program]`, at the end of the run queue. */
  | { kind: 'spawn'; program: number }
  /** Main only: the module's run(). */
  | { kind: 'runAll' };

export interface ChannelSpec {
  capacity: number;
  preference: number;
}

export interface Program {
  channels: ChannelSpec[];
  /** Main's operations; tasklet 1..n of `tasklets` are created (set up) before them. */
  main: Op[];
  tasklets: Op[][];
  spawnable: Op[][];
}

/** A spawn beyond this many tasklets does nothing (a spawned program may spawn itself). */
export const MAX_TASKLETS = 12;

/** What every run ends with, so that both sides finish every tasklet. */
export function epilogue(): Op[] {
  const kills: Op[] = [];
  for (let target = 1; target <= MAX_TASKLETS; target++) kills.push({ kind: 'kill', target });
  return [{ kind: 'runAll' }, ...kills, { kind: 'runAll' }];
}

/** The thrown error of a `throw` operation. */
export class InjectedError extends Error {
  constructor() {
    super('injected by a throw operation');
    this.name = 'InjectedError';
  }
}

/** One step of a trace: who completed which operation, with what outcome. */
export type TraceEvent = string;

export interface Outcome {
  trace: TraceEvent[];
  channels: Array<{ balance: number; length: number; closing: boolean; closed: boolean }>;
  runCount: number;
}

/** How an operation's result is written in a trace. */
export function describeResult(result: unknown): string {
  if (result === undefined) return 'ok';
  if (typeof result === 'string') return result;
  if (typeof result === 'number') return `v=${result}`;
  const selected = result as { index: number; value?: unknown; closed?: boolean };
  return `sel=${selected.index}${selected.closed ? ',closed' : ''}${selected.value !== undefined ? `,v=${String(selected.value)}` : ''}`;
}

export function describeError(error: unknown): string {
  return `err=${(error as Error)?.name ?? String(error)}`;
}

/** A program as a regression test to paste into test/stackless-model.test.ts. */
export function asRegressionTest(program: Program): string {
  return `t.test('model regression', (t) => {\n  const program: Program = ${JSON.stringify(program)};\n  t.same(runReal(program), runModel(program));\n  t.end();\n});`;
}
