// A generated test program: channels, tasklet definitions and the step
// programs main and each tasklet run. Plain data, so that fast-check can
// generate and shrink it, the model can interpret it, the real runner can
// execute it and the printer can write it out as a regression test.

/** Index into Program.channels. */
export type ChannelRef = number;
/** Name of a tasklet definition ('T1', 'T2', ...); never 'main'. */
export type TaskletRef = string;

export interface ChannelSpec {
  /** 0: a Stackless rendezvous channel; more: a Go buffered channel. */
  readonly capacity: number;
  /** -1 receiver preferred (the default), 0 neither, 1 sender preferred. */
  readonly preference: -1 | 0 | 1;
}

/**
 * How a tasklet is made: `tasklet(fn)(...args)` (scheduled), `new Tasklet(fn).bind(fn, args)` (paused), or
 * `s.spawn(fn, ...args)` of the innermost open scope (`child`; only inside a scope's body).
 */
export type CreateMode = 'setup' | 'bind' | 'child';

/** The synchronisation objects every program has: one Lock, one Semaphore (of Program.permits), one Event. */
export type SyncOp = 'lockAcquire' | 'lockRelease' | 'semAcquire' | 'semRelease' | 'eventWait' | 'eventSet' | 'eventClear';

export interface SelectCaseSpec {
  readonly channel: ChannelRef;
  readonly sending: boolean;
}

export type Op =
  | { readonly kind: 'send'; readonly channel: ChannelRef }
  /** channel.sendThrow(new SentError(value)): the receiver's receive() throws it. */
  | { readonly kind: 'sendThrow'; readonly channel: ChannelRef }
  | { readonly kind: 'receive'; readonly channel: ChannelRef }
  | { readonly kind: 'close'; readonly channel: ChannelRef }
  | { readonly kind: 'open'; readonly channel: ChannelRef }
  /**
   * select() over distinct channels. `pick` (0 <= pick < 1) is what
   * Math.random() returns during this select in the real run, so the real
   * run is reproducible; the model accepts whichever ready case the real
   * implementation chose (Go: "a single one is chosen via a uniform
   * pseudo-random selection").
   */
  | { readonly kind: 'select'; readonly cases: readonly SelectCaseSpec[]; readonly withDefault: boolean; readonly pick: number }
  /** schedule() (withValue false: it returns the current tasklet) or schedule(value). */
  | { readonly kind: 'schedule'; readonly withValue: boolean }
  | { readonly kind: 'scheduleRemove' }
  | { readonly kind: 'getruncount' }
  /** Creates the definition `target` (each definition has exactly one creating op). */
  | { readonly kind: 'spawn'; readonly target: TaskletRef; readonly mode: CreateMode }
  | { readonly kind: 'kill'; readonly target: TaskletRef }
  /** t.throw(new InjectedError()) or t.raiseException(InjectedError). */
  | { readonly kind: 'throw'; readonly target: TaskletRef; readonly via: 'throw' | 'raiseException' }
  | { readonly kind: 'run'; readonly target: TaskletRef }
  | { readonly kind: 'switch'; readonly target: TaskletRef }
  | { readonly kind: 'insert'; readonly target: TaskletRef }
  | { readonly kind: 'remove'; readonly target: TaskletRef }
  /** t.setup(...): always refused, since every tasklet made here is already bound. */
  | { readonly kind: 'setup'; readonly target: TaskletRef }
  /** t.join(): the target's return value (`T1.result`), its error, or undefined if it was killed. */
  | { readonly kind: 'join'; readonly target: TaskletRef }
  /** Throws a FailError out of the op, not caught by the op wrapper: it ends the tasklet, or the body of its scope. */
  | { readonly kind: 'fail' }
  /**
   * scope((s) => { ...the ops up to the matching scopeEnd... }): the ops in
   * between are its body (the list is flat: pcs stay plain numbers).
   */
  | { readonly kind: 'scopeBegin' }
  /** Where the body of the innermost open scope ends; writes no code and logs nothing. */
  | { readonly kind: 'scopeEnd' }
  /** s.cancel() of the scope `level` steps out from the innermost one open here (0: the innermost). */
  | { readonly kind: 'cancel'; readonly level: number }
  | { readonly kind: SyncOp }
  /** The module-level run(); main only. */
  | { readonly kind: 'runAll' }
  /** Records the state of every channel and tasklet and getruncount(); added by mainOps(), never generated. */
  | { readonly kind: 'snapshot' };

export interface TaskletSpec {
  readonly name: TaskletRef;
  readonly args: readonly number[];
  readonly ops: readonly Op[];
}

export interface Program {
  readonly channels: readonly ChannelSpec[];
  readonly tasklets: readonly TaskletSpec[];
  /** The Semaphore's initial value. */
  readonly permits: number;
  /** Main's ops. The runners add a final run() and then kill what is left. */
  readonly main: readonly Op[];
}

/** The value a send at `pc` of `who` sends: unique, so a trace shows who got what. */
export function sentValue(who: string, pc: number): string {
  return `${who}.${pc}`;
}

/** What a tasklet's function returns when it runs to its end, for join() to show. */
export function resultValue(who: string): string {
  return `${who}.result`;
}

/** The scope open at each pc (its scopeBegin's pc, innermost last), for ops inside a body. */
export function openScopes(ops: readonly Op[], pc: number): number[] {
  const open: number[] = [];
  for (let i = 0; i < pc; i++) {
    if (ops[i]!.kind === 'scopeBegin') open.push(i);
    else if (ops[i]!.kind === 'scopeEnd') open.pop();
  }
  return open;
}

/** The pc of the scopeEnd matching the scopeBegin at `begin`. */
export function scopeEndOf(ops: readonly Op[], begin: number): number {
  let depth = 0;
  for (let i = begin; i < ops.length; i++) {
    if (ops[i]!.kind === 'scopeBegin') depth++;
    else if (ops[i]!.kind === 'scopeEnd' && --depth === 0) return i;
  }
  throw new Error('program: a scopeBegin without its scopeEnd');
}

/**
 * Whether an error the op at `pc` throws goes on (ends the tasklet, or the
 * body of its scope): a fail op's and a scope's, everywhere but at main's top
 * level, which logs it and goes on. A TaskletExit always goes on.
 */
export function propagates(who: string, ops: readonly Op[], pc: number): boolean {
  const kind = ops[pc]!.kind;
  return (kind === 'fail' || kind === 'scopeBegin') && (who !== 'main' || openScopes(ops, pc).length > 0);
}

/** A short readable form of an op, used in traces. */
export function describeOp(op: Op): string {
  switch (op.kind) {
    case 'send':
    case 'sendThrow':
    case 'receive':
    case 'close':
    case 'open':
      return `${op.kind}(c${op.channel})`;
    case 'select':
      return `select(${op.cases.map((c) => `${c.sending ? 'send' : 'recv'} c${c.channel}`).join(', ')}${op.withDefault ? ', default' : ''})`;
    case 'schedule':
      return op.withValue ? 'schedule(value)' : 'schedule()';
    case 'scheduleRemove':
    case 'getruncount':
    case 'fail':
    case 'lockAcquire':
    case 'lockRelease':
    case 'semAcquire':
    case 'semRelease':
    case 'eventWait':
    case 'eventSet':
    case 'eventClear':
    case 'runAll':
    case 'snapshot':
      return `${op.kind}()`;
    case 'spawn':
      return `spawn ${op.target} (${op.mode})`;
    case 'throw':
      return `${op.target}.${op.via}()`;
    case 'scopeBegin':
      return 'scope';
    case 'scopeEnd':
      return 'end of scope';
    case 'cancel':
      return `cancel(${op.level})`;
    default:
      return `${op.target}.${op.kind}()`;
  }
}
