import { type Blocker, type Tasklet, tasklet } from '@stackless/tasklets';
import {
  blockOn,
  currentTasklet,
  describeValue as describe,
  markDeliveredError,
  wakeBlocked,
} from '@stackless/tasklets/internal';
import { inspect } from 'node:util';

import { ChannelClosedError, ChannelTimeoutError } from './errors.js';
import { receiveUntilClosed, receiveUntilClosedAsync } from './iteration.js';
import { Fifo } from './fifo.js';
import { selectOn } from './wait.js';
import { type Delivery, type Waiter, NOTHING_READY, asItem, unwrap } from './waiter.js';

/**
 * Stackless' channel callback: called on every send and receive with the
 * channel, the acting tasklet, whether it sends, and whether it will block.
 */
export type ChannelCallback = (channel: Channel<any>, tasklet: Tasklet, sending: boolean, willBlock: boolean) => void;

let channelCallback: ChannelCallback | null = null;

/** Installs the channel callback (or removes it with `null`); returns the previous one. */
export function setChannelCallback(fn: ChannelCallback | null): ChannelCallback | null {
  if (fn !== null && typeof fn !== 'function') throw new TypeError('setChannelCallback() takes a function or null');
  const previous = channelCallback;
  channelCallback = fn;
  return previous;
}

/** The channel callback installed with {@link setChannelCallback}, or `null`. */
export function getChannelCallback(): ChannelCallback | null {
  return channelCallback;
}

/** Options for a {@link Channel}. */
export interface ChannelOptions {
  /**
   * How many values the channel holds without a receiver (Go's buffered
   * channel). 0, the default, is Stackless' rendezvous channel.
   */
  capacity?: number;
}

/** Options of a single send or receive. */
export interface OperationOptions {
  /** Throw ChannelTimeoutError if the operation has not happened within this many milliseconds. */
  timeout?: number;
}

/** What a sender whose value was taken is woken with. */
const TAKEN: Delivery = Object.freeze({ value: undefined, isError: false });

/**
 * A tasklet blocked in its own send or receive. It is the channel's waiter,
 * the scheduler's blocker and, for a receiver, the delivery it is woken with
 * (a sender fills it in). It belongs to the blocked tasklet until its
 * operation returns; others read it only at once, with no switch in between.
 * Then the channel keeps it for the next operation to block there: a
 * long-lived record spares an allocation and, once promoted, the
 * young-object write barriers of storing it in the (old) waiting list and
 * tasklet.
 */
interface BlockedOperation extends Waiter, Blocker, Delivery {
  /** The channel's waiting list it is in. */
  readonly queue: Fifo<Waiter>;
  tasklet: Tasklet;
  sending: boolean;
  value: unknown;
  isError: boolean;
  reason: string;
  /** Never set: that is what tells it from a select()'s waiter. */
  readonly claim: undefined;
}

function blockedOperation(
  queue: Fifo<Waiter>,
  tasklet: Tasklet,
  sending: boolean,
  value: unknown,
  isError: boolean,
  reason: string,
): BlockedOperation {
  // An object literal: V8 allocates that inline, where `new` of a class went
  // through its generic construct stub.
  return { queue, tasklet, sending, value, isError, reason, claim: undefined, cancel: leaveQueue };
}

/** Woken some other way (killed, thrown into): the operation leaves the channel. */
function leaveQueue(this: BlockedOperation): void {
  this.queue.remove(this);
}

let channelCount = 0;

/**
 * A channel between tasklets. Unbuffered (the default, as in Stackless), a
 * send and a receive meet: whichever comes first blocks until the other
 * arrives, and the value passes directly. With a capacity (as in Go), sends
 * only block when that many values are waiting.
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
  readonly #capacity: number;
  /** Values sent but not yet received (buffered channels only); errors as Thrown. */
  readonly #buffer = new Fifo<unknown>();
  /** Blocked tasklets, all in the same direction, oldest first. */
  readonly #waiting = new Fifo<Waiter>();
  #preference = -1;
  #closing = false;
  /** Why a tasklet blocked here is blocked; made once per channel, not per block. */
  readonly #sendReason: string;
  readonly #receiveReason: string;
  /** The record of the last operation that blocked here, for the next one. */
  #spareOperation: BlockedOperation | undefined = undefined;

  constructor(options: ChannelOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('new Channel() takes an options object');
    const capacity = options.capacity ?? 0;
    if (typeof capacity !== 'number') throw new TypeError(`capacity must be a number, not ${describe(capacity)}`);
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`capacity must be a whole number >= 0, not ${capacity}`);
    }
    this.#capacity = capacity;
    this.#sendReason = `send on ${this.#name()}`;
    this.#receiveReason = `receive on ${this.#name()}`;
  }

  /** Sends `value`, blocking until a receiver takes it (or, buffered, until there is room). */
  send(value: T, options?: OperationOptions): void {
    if (options?.timeout !== undefined) {
      const { index } = selectOn([{ channel: this, sending: true, value }], { timeout: options.timeout });
      if (index < 0) throw new ChannelTimeoutError(`send() on ${this.#name()} timed out after ${options.timeout} ms`);
      return;
    }
    this.#send(value, false);
  }

  /** Like {@link send}, but the receiver's `receive()` throws `error`. */
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

  /** Receives a value, blocking until there is one. */
  receive(options?: OperationOptions): T {
    if (options?.timeout !== undefined) {
      const { index, value, closed } = selectOn([{ channel: this, sending: false }], { timeout: options.timeout });
      if (index < 0) throw new ChannelTimeoutError(`receive() on ${this.#name()} timed out after ${options.timeout} ms`);
      if (closed) throw new ChannelClosedError(`receive() on ${this.#name()}, which is closed`);
      return value as T;
    }
    // Before anything moves, as in Stackless: a callback that throws stops
    // the operation, with no value taken.
    if (channelCallback !== null) channelCallback(this, currentTasklet(), false, !this.#hasValueReady);
    const ready = this.takeReady();
    if (ready !== NOTHING_READY) return unwrap(ready) as T;
    if (this.#closing) throw new ChannelClosedError(`receive() on ${this.#name()}, which is closed`);
    return this.#block(false, undefined, false) as T;
  }

  /**
   * Stops further sends. Values already buffered or offered by blocked
   * senders are still received; after them every receive throws
   * ChannelClosedError (which ends iteration), and tasklets blocked
   * receiving are woken with it.
   */
  close(): void {
    this.#closing = true;
    if (this.#waiting.length > 0 && !this.#waiting.peek()!.sending) {
      const error = () => new ChannelClosedError(`${this.#name()} was closed while receiving`);
      for (const receiver of this.#waiting.drain()) this.#deliver(receiver, { value: error(), isError: true }, false);
    }
  }

  /** Reopens a closed channel. */
  open(): void {
    this.#closing = false;
  }

  /** Senders blocked (> 0) or receivers blocked (< 0); buffered values are not counted. */
  get balance(): number {
    const waiting = this.#waiting;
    if (waiting.length === 0) return 0;
    return waiting.peek()!.sending ? waiting.length : -waiting.length;
  }

  /** How many values the channel holds without a receiver (0: rendezvous). */
  get capacity(): number {
    return this.#capacity;
  }

  /** Values buffered now. */
  get length(): number {
    return this.#buffer.length;
  }

  /** `close()` was called. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Closing, and nothing is left to receive: every receive throws. */
  get closed(): boolean {
    return this.#closing && this.#buffer.length === 0 && !(this.#waiting.peek()?.sending ?? false);
  }

  /** The first blocked tasklet, or null. */
  get queue(): Tasklet | null {
    return this.#waiting.peek()?.tasklet ?? null;
  }

  /**
   * Who runs on after a transfer with a blocked partner: -1 (default) the
   * receiver runs at once, 1 the sender runs at once, 0 the one that arrived
   * second goes on and the other is scheduled. Values are clamped to that range.
   */
  get preference(): number {
    return this.#preference;
  }

  set preference(value: number) {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new TypeError(`preference must be a number (-1, 0 or 1), not ${describe(value)}`);
    }
    // `+ 0` turns a -0 (from -0.5) into 0.
    this.#preference = Math.max(-1, Math.min(1, Math.trunc(value))) + 0;
  }

  /** Receives until the channel is closed and drained. */
  [Symbol.iterator](): Iterator<T> {
    return receiveUntilClosed(() => this.receive());
  }

  /**
   * For code outside tasklets (async functions, callbacks): sends from a
   * helper tasklet and settles when the value has been taken.
   */
  sendAsync(value: T, options?: OperationOptions): Promise<void> {
    return inTasklet(() => this.send(value, options));
  }

  /** For code outside tasklets: receives in a helper tasklet. */
  receiveAsync(options?: OperationOptions): Promise<T> {
    return inTasklet(() => this.receive(options));
  }

  /** `for await (const value of channel)`, for code outside tasklets. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return receiveUntilClosedAsync(() => this.receiveAsync());
  }

  [inspect.custom](): string {
    const buffered = this.#capacity > 0 ? `, buffered: ${this.#buffer.length}/${this.#capacity}` : '';
    return `${this.#name()} { balance: ${this.balance}${buffered}${this.#closing ? ', closing' : ''} }`;
  }

  toString(): string {
    return this.#name();
  }

  /**
   * @internal For receive() and select(): takes a value that can be received
   * without blocking (buffered, or from a blocked sender, who is then
   * released), as buffered: the value itself, or an error as Thrown (see
   * unwrap()). NOTHING_READY if there is none.
   */
  takeReady(): unknown {
    const buffer = this.#buffer;
    if (buffer.length > 0) {
      const item = buffer.shift();
      // Room now: the oldest blocked sender's value moves into the buffer.
      const sender = this.#takeWaiter(true);
      if (sender !== undefined) {
        buffer.push(asItem(sender.value, sender.isError));
        this.#release(sender, false);
      }
      return item;
    }
    const sender = this.#takeWaiter(true);
    if (sender === undefined) return NOTHING_READY;
    // Read before the release: the sender may run at once, and it reuses its
    // record for its next operation.
    const item = asItem(sender.value, sender.isError);
    const senderRunsNow = this.#preference > 0;
    // Suspended until the sender has run, the receiver holds the sent error:
    // a cancellation meanwhile must leave it that error.
    if (senderRunsNow && sender.isError) markDeliveredError(currentTasklet());
    this.#release(sender, senderRunsNow);
    return item;
  }

  /**
   * @internal For select(): sends without blocking if a receiver is blocked
   * or the buffer has room; returns whether it did.
   */
  trySend(value: unknown): boolean {
    return this.#trySend(value, false);
  }

  /** @internal For select(): whether a receive would not block. */
  get canReceive(): boolean {
    return this.#hasValueReady || this.#closing;
  }

  /** A value is buffered or offered by a blocked sender. */
  get #hasValueReady(): boolean {
    return this.#buffer.length > 0 || (this.#waiting.peek()?.sending ?? false);
  }

  /** A receiver is blocked, or the buffer has room. */
  get #hasRoom(): boolean {
    return (this.#waiting.length > 0 && !this.#waiting.peek()!.sending) || this.#buffer.length < this.#capacity;
  }

  /** @internal For select(): queues a select's waiter; returns how to take it off again. */
  enqueueWaiter(waiter: Waiter): () => void {
    const waiting = this.#waiting;
    waiting.push(waiter);
    return () => {
      waiting.remove(waiter);
    };
  }

  #send(value: unknown, isError: boolean): void {
    // Before anything moves, as in Stackless: a callback that throws stops
    // the operation, with nothing sent.
    if (channelCallback !== null) channelCallback(this, currentTasklet(), true, !this.#hasRoom);
    if (this.#trySend(value, isError)) return;
    this.#block(true, value, isError);
  }

  #trySend(value: unknown, isError: boolean): boolean {
    if (this.#closing) throw new ChannelClosedError(`send() on ${this.#name()}, which is closed`);
    const receiver = this.#takeWaiter(false);
    if (receiver !== undefined) {
      if (receiver.claim === undefined) {
        // A blocked operation: its own record carries the value, so there
        // is no delivery to allocate.
        const operation = receiver as BlockedOperation;
        operation.value = value;
        operation.isError = isError;
        this.#wakeWith(operation.tasklet, operation, this.#preference < 0);
      } else {
        this.#deliver(receiver, { value, isError }, this.#preference < 0);
      }
      return true;
    }
    if (this.#buffer.length < this.#capacity) {
      this.#buffer.push(asItem(value, isError));
      return true;
    }
    return false;
  }

  /**
   * Blocks the current tasklet until a partner arrives; returns the value
   * received (undefined for a sender) or throws.
   */
  #block(sending: boolean, value: unknown, isError: boolean): unknown {
    // Nothing has moved since the operation began: the tasklet that began it.
    const self = currentTasklet();
    const waiting = this.#waiting;
    const reason = sending ? this.#sendReason : this.#receiveReason;
    let operation = this.#spareOperation;
    if (operation === undefined) {
      operation = blockedOperation(waiting, self, sending, value, isError, reason);
    } else {
      this.#spareOperation = undefined;
      operation.tasklet = self;
      operation.sending = sending;
      operation.value = value;
      operation.isError = isError;
      operation.reason = reason;
    }
    waiting.push(operation);
    let delivery: Delivery;
    try {
      delivery = blockOn(operation) as Delivery;
    } catch (error) {
      operation.cancel(); // blocking was refused (deadlock) or interrupted (kill)
      this.#recycle(operation);
      throw error;
    }
    // The delivery may be the record itself (a receiver's): read it first.
    const received = delivery.value;
    const failed = delivery.isError;
    this.#recycle(operation);
    if (failed) throw received;
    return received;
  }

  /** Keeps a finished operation's record for the next one, holding no value. */
  #recycle(operation: BlockedOperation): void {
    operation.value = undefined;
    operation.isError = false;
    this.#spareOperation = operation;
  }

  /** The oldest blocked waiter in the given direction, taken off the channel. */
  #takeWaiter(sending: boolean): Waiter | undefined {
    const waiting = this.#waiting;
    if (waiting.length === 0 || waiting.peek()!.sending !== sending) return undefined;
    return waiting.shift();
  }

  /** A blocked sender whose value was taken: it goes on (now, if preferred). */
  #release(sender: Waiter, runNow: boolean): void {
    this.#deliver(sender, TAKEN, runNow);
  }

  // #deliver and #wakeWith are methods, not module functions, so that
  // optimised code inlines them into the transfer (docs/switch-cost.md,
  // "Calls on the hot path").

  /** Wakes a blocked waiter with what it waited for; with `runNow` it runs at once (see unblockAndRun()). */
  #deliver(waiter: Waiter, delivery: Delivery, runNow: boolean): void {
    if (waiter.claim !== undefined) waiter.claim(delivery, runNow);
    else this.#wakeWith(waiter.tasklet, delivery, runNow);
  }

  /**
   * Wakes a tasklet blocked in its own send or receive. An error it is handed
   * is marked as delivered, so that a cancellation before it runs leaves it
   * that error (docs/structured.md, rule 3).
   */
  #wakeWith(blocked: Tasklet, delivery: Delivery, runNow: boolean): void {
    if (delivery.isError) markDeliveredError(blocked);
    // It is in the channel's waiting list, so blocked: no need for unblock()'s checks.
    wakeBlocked(blocked, delivery, runNow);
  }

  #name(): string {
    return `Channel#${this.#id}`;
  }
}

/** Runs `operation` in a new tasklet; the promise settles with its outcome. */
function inTasklet<R>(operation: () => R): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    tasklet(() => {
      try {
        resolve(operation());
      } catch (error) {
        reject(error);
      }
    })();
  });
}
