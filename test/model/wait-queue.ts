// A first-come-first-served queue of blocked tasklets: the waiters of a
// join, a Lock, a Semaphore, an Event, or a scope waiting for its children.
import type { ModelTasklet } from './tasklet.js';

export class WaitQueue {
  readonly waiting: ModelTasklet[] = [];

  constructor(
    /** Whether a cancelled scope refuses to block here (every blocking operation but a scope's wait for its children). */
    readonly cancellable = true,
  ) {}

  add(t: ModelTasklet): void {
    this.waiting.push(t);
    t.waitingOn = this;
  }

  /** Takes `t` off the queue (it was woken, killed or cancelled). */
  leave(t: ModelTasklet): void {
    const at = this.waiting.indexOf(t);
    if (at >= 0) this.waiting.splice(at, 1);
    t.waitingOn = undefined;
  }

  /** The longest waiter, taken off; undefined if none. */
  shift(): ModelTasklet | undefined {
    const t = this.waiting[0];
    if (t !== undefined) this.leave(t);
    return t;
  }
}
