// A tasklet in the model: a step program and where it stands in it. It can
// only lose control inside an op, so a tasklet that is not running is either
// unstarted, dead, or suspended in op `pc`, which completes with `pending`
// when it runs again.
import type { Waiter } from './channel.js';
import type { Op } from './program.js';
import type { ModelScope } from './scope.js';
import type { Outcome } from './trace.js';
import type { WaitQueue } from './wait-queue.js';

export class ModelTasklet {
  started = false;
  dead = false;
  /** The op it is in, or will run next. */
  pc = 0;
  /** What the suspended op returns or throws when the tasklet next runs. */
  pending: Outcome | undefined;
  /** Whether a pending TaskletExit comes from a scope's cancellation (else from kill()). */
  exitIsCancellation = false;
  /** Set while blocked on channels (one waiter, or one per select case). */
  waiters: Waiter[] | undefined;
  /** Set while blocked on anything else (join, Lock, Semaphore, Event, a scope's children). */
  waitingOn: WaitQueue | undefined;
  /** Handed the Lock or a permit by a release, not yet run: passed on if killed before it runs. */
  handed: 'lock' | 'semaphore' | undefined;
  /** Waiting (or woken to go on waiting) for the children of its innermost scope. */
  scopeWaiting = false;
  /** What join() gives once it is dead: `ok "T1.result"`, `ok` (killed), or the error. */
  result: Outcome | undefined;
  /** Its scopes open now, innermost last. */
  readonly scopes: ModelScope[] = [];
  /** The scope that spawned it, if any. */
  childOf: ModelScope | undefined;

  constructor(
    readonly name: string,
    readonly args: readonly number[],
    readonly ops: readonly Op[],
    readonly isMain: boolean,
  ) {}

  get blocked(): boolean {
    return this.waiters !== undefined || this.waitingOn !== undefined;
  }
}
