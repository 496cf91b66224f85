// The event trace both runs produce, as lines of text, and the formats of
// what an op returned or threw. The real run (real.ts) formats the same way
// in the generated JavaScript; the two are compared line by line.

/** `ok`, `ok "T1.3"`, `ok <T2>`, `ok 3`, `ok {index:0,value:"T1.3"}`, `absent` or `threw DeadlockError`. */
export type Outcome = string;

export const OK: Outcome = 'ok';
export const ABSENT: Outcome = 'absent';

export function threw(errorName: string): Outcome {
  return `threw ${errorName}`;
}

export function returnedValue(value: string): Outcome {
  return `ok ${JSON.stringify(value)}`;
}

export function returnedTasklet(name: string): Outcome {
  return `ok <${name}>`;
}

export function returnedNumber(n: number): Outcome {
  return `ok ${n}`;
}

export function selected(index: number, extra: { value?: string; closed?: boolean } = {}): Outcome {
  const value = extra.value !== undefined ? `,value:${JSON.stringify(extra.value)}` : '';
  return `ok {index:${index}${value}${extra.closed ? ',closed' : ''}}`;
}

export function beginLine(who: string, pc: number, what: string): string {
  return `${who} #${pc} ${what}`;
}

export function endLine(who: string, pc: number, outcome: Outcome): string {
  return `${who} #${pc} -> ${outcome}`;
}

/** The first line `this` is judged by: undefined or the public Tasklet is fine, anything else leaks internals. */
export function startLine(who: string, args: readonly number[], thisOk: boolean): string {
  return `${who} start (${args.join(',')}) this=${thisOk ? 'ok' : 'internal'}`;
}

/** A tasklet's function runs its finally block (it ends, fails or is killed; never if it never ran). */
export function finallyLine(who: string): string {
  return `${who} finally`;
}

/** The finally block of the body of the scope opened at `pc`, as the body ends (before scope() waits for the children). */
export function bodyFinallyLine(who: string, pc: number): string {
  return `${who} #${pc} body finally`;
}

export interface ChannelState {
  balance: number;
  length: number;
  queue: string;
  closing: boolean;
  closed: boolean;
}

export function channelLine(index: number, s: ChannelState): string {
  return `c${index} balance=${s.balance} length=${s.length} queue=${s.queue} closing=${s.closing} closed=${s.closed}`;
}

/** A tasklet's flags (alive, blocked, scheduled, paused), the ones that are true; `absent` if never created. */
export function taskletLine(name: string, flags: readonly string[] | undefined): string {
  return `${name} ${flags === undefined ? 'absent' : flags.length === 0 ? 'dead' : flags.join(',')}`;
}

/** Index of the first differing line, or -1. */
export function firstDifference(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}
