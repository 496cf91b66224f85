// A channel's state in the model: who waits (all in one direction, oldest
// first, as Stackless' channel chain), the Go buffer, and the flags.
import type { ChannelSpec } from './program.js';
import type { ModelTasklet } from './tasklet.js';

/** What a send hands over: a value, or (sendThrow) a SentError carrying it, for the receiver to throw. */
export type Item = { readonly kind: 'value' | 'error'; readonly value: string };

/**
 * A tasklet blocked on this channel. A select() blocks with one waiter per
 * case, all sharing `group`: the first channel that serves one of them takes
 * the whole group off every channel.
 */
export interface Waiter {
  readonly tasklet: ModelTasklet;
  readonly channel: ModelChannel;
  readonly sending: boolean;
  /** What a blocked sender offers. */
  readonly item: Item | undefined;
  /** For a select's waiter: the case's index and its siblings. */
  readonly select: { readonly index: number; readonly group: Waiter[] } | undefined;
}

export class ModelChannel {
  readonly waiting: Waiter[] = [];
  readonly buffer: Item[] = [];
  closing = false;

  constructor(
    readonly index: number,
    readonly spec: ChannelSpec,
  ) {}

  get capacity(): number {
    return this.spec.capacity;
  }

  get preference(): number {
    return this.spec.preference;
  }

  /** Stackless' balance: senders waiting (> 0), receivers waiting (< 0); buffered values do not count. */
  get balance(): number {
    const first = this.waiting[0];
    if (first === undefined) return 0;
    return first.sending ? this.waiting.length : -this.waiting.length;
  }

  /** Stackless: closing && balance == 0; with a buffer (Go), also drained. */
  get closed(): boolean {
    return this.closing && this.balance === 0 && this.buffer.length === 0;
  }

  /** The oldest waiter if it waits in direction `sending`. */
  firstWaiting(sending: boolean): Waiter | undefined {
    const first = this.waiting[0];
    return first !== undefined && first.sending === sending ? first : undefined;
  }
}

/** Takes a waiter, and every other waiter of its select, off their channels. */
export function takeOff(waiter: Waiter): void {
  for (const w of waiter.select?.group ?? [waiter]) {
    const at = w.channel.waiting.indexOf(w);
    if (at >= 0) w.channel.waiting.splice(at, 1);
  }
  waiter.tasklet.waiters = undefined;
}
