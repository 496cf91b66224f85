// A tasklet in the model: a step program and where it stands in it. It can
// only lose control inside an op, so a tasklet that is not running is either
// unstarted, dead, or suspended in op `pc`, which completes with `pending`
// when it runs again.
import type { Waiter } from './channel.js';
import type { Op } from './program.js';
import type { Outcome } from './trace.js';

export class ModelTasklet {
  started = false;
  dead = false;
  /** The op it is in, or will run next. */
  pc = 0;
  /** What the suspended op returns or throws when the tasklet next runs. */
  pending: Outcome | undefined;
  /** Set while blocked on channels (one waiter, or one per select case). */
  waiters: Waiter[] | undefined;

  constructor(
    readonly name: string,
    readonly args: readonly number[],
    readonly ops: readonly Op[],
    readonly isMain: boolean,
  ) {}

  get blocked(): boolean {
    return this.waiters !== undefined;
  }
}
