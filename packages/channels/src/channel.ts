import { type Tasklet, blockCurrent, getcurrent, unblock, unblockThrow } from '@stackless/tasklets';
import { inspect } from 'node:util';

import { getChannelCallback } from './channel-callback.js';
import { ChannelClosedError } from './errors.js';

/** A tasklet blocked on the channel, with what it sends. */
interface Waiter {
  readonly tasklet: Tasklet;
  readonly sending: boolean;
  readonly value: unknown;
  readonly isError: boolean;
}

let channelCount = 0;

/**
 * A Stackless channel: a rendezvous between a sending and a receiving
 * tasklet. Whichever comes first blocks until the other arrives; the value
 * passes directly from one to the other.
 *
 * @example
 * ```ts
 * const channel = new Channel<number>();
 * tasklet(() => channel.send(42))();
 * tasklet(() => console.log(channel.receive()))();
 * run();
 * ```
 */
export class Channel<T> implements Iterable<T> {
  readonly #id = ++channelCount;
  /** Blocked tasklets, all in the same direction, oldest first. */
  #waiting: Waiter[] = [];
  #preference = -1;
  #closing = false;

  /** Sends `value`, blocking until a receiver takes it. */
  send(value: T): void {
    this.#send(value, false);
  }

  /**
   * Blocks until a receiver arrives, then makes its `receive()` throw
   * `error` instead of returning a value.
   */
  sendThrow(error: unknown): void {
    this.#send(error, true);
  }

  /** `sendThrow(new ErrorClass(...args))`. */
  sendException(ErrorClass: new (...args: any[]) => unknown, ...args: unknown[]): void {
    if (typeof ErrorClass !== 'function') throw new TypeError('sendException() takes an error class');
    this.#send(new ErrorClass(...args), true);
  }

  /** Sends every value of `values` in turn; returns how many were sent. */
  sendSequence(values: Iterable<T>): number {
    if (values === null || typeof (values as Iterable<T>)?.[Symbol.iterator] !== 'function') {
      throw new TypeError('sendSequence() takes an iterable');
    }
    let count = 0;
    for (const value of values) {
      this.#send(value, false);
      count++;
    }
    return count;
  }

  /** Receives a value, blocking until a sender provides one. */
  receive(): T {
    const self = getcurrent();
    const waiting = this.#waiting;
    if (waiting.length > 0 && waiting[0]!.sending) {
      const sender = waiting.shift()!;
      getChannelCallback()?.(this, self, false, false);
      unblock(sender.tasklet);
      if (this.#preference > 0) sender.tasklet.run();
      if (sender.isError) throw sender.value;
      return sender.value as T;
    }
    if (this.#closing) throw new ChannelClosedError(`receive() on ${this.#name()}, which is closed`);
    getChannelCallback()?.(this, self, false, true);
    return this.#block({ tasklet: self, sending: false, value: undefined, isError: false }) as T;
  }

  /**
   * Stops further sends. Tasklets already blocked sending are still received
   * from; tasklets blocked receiving get ChannelClosedError, as does every
   * receive once no sender is left. Iteration then ends.
   */
  close(): void {
    this.#closing = true;
    const waiting = this.#waiting;
    if (waiting.length > 0 && !waiting[0]!.sending) {
      this.#waiting = [];
      for (const receiver of waiting) {
        unblockThrow(receiver.tasklet, new ChannelClosedError(`${this.#name()} was closed while receiving`));
      }
    }
  }

  /** Reopens a closed channel. */
  open(): void {
    this.#closing = false;
  }

  /** Senders waiting (> 0) or receivers waiting (< 0). */
  get balance(): number {
    const waiting = this.#waiting;
    if (waiting.length === 0) return 0;
    return waiting[0]!.sending ? waiting.length : -waiting.length;
  }

  /** `close()` was called. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Closing and no sender is left: every receive throws. */
  get closed(): boolean {
    return this.#closing && this.#waiting.length === 0;
  }

  /** The first waiting tasklet, or null. */
  get queue(): Tasklet | null {
    return this.#waiting[0]?.tasklet ?? null;
  }

  /**
   * Who runs on after a transfer: -1 (default) the receiver runs at once, 1
   * the sender runs at once, 0 the one that arrived second goes on and the
   * other is scheduled. Values are clamped to that range.
   */
  get preference(): number {
    return this.#preference;
  }

  set preference(value: number) {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new TypeError(`preference must be a number (-1, 0 or 1), not ${String(value)}`);
    }
    this.#preference = Math.max(-1, Math.min(1, Math.trunc(value)));
  }

  /** Receives until the channel is closed and drained. */
  *[Symbol.iterator](): Iterator<T> {
    for (;;) {
      let value: T;
      try {
        value = this.receive();
      } catch (error) {
        if (error instanceof ChannelClosedError) return;
        throw error;
      }
      yield value;
    }
  }

  [inspect.custom](): string {
    return `${this.#name()} { balance: ${this.balance}${this.#closing ? ', closing' : ''} }`;
  }

  #send(value: unknown, isError: boolean): void {
    const self = getcurrent();
    if (this.#closing) throw new ChannelClosedError(`send() on ${this.#name()}, which is closed`);
    const waiting = this.#waiting;
    if (waiting.length > 0 && !waiting[0]!.sending) {
      const receiver = waiting.shift()!;
      getChannelCallback()?.(this, self, true, false);
      if (isError) unblockThrow(receiver.tasklet, value);
      else unblock(receiver.tasklet, value);
      if (this.#preference < 0) receiver.tasklet.run();
      return;
    }
    getChannelCallback()?.(this, self, true, true);
    this.#block({ tasklet: self, sending: true, value, isError });
  }

  #block(waiter: Waiter): unknown {
    const waiting = this.#waiting;
    waiting.push(waiter);
    const forget = () => {
      const at = waiting.indexOf(waiter);
      if (at >= 0) waiting.splice(at, 1);
    };
    try {
      return blockCurrent(`${waiter.sending ? 'send' : 'receive'} on ${this.#name()}`, forget);
    } catch (error) {
      forget(); // blocking was refused (deadlock): the waiter never waited
      throw error;
    }
  }

  #name(): string {
    return `Channel#${this.#id}`;
  }
}
