import { SchedulerError, getcurrent, wait } from '@stackless/tasklets';
import { describeValue as describe } from '@stackless/tasklets/internal';
import { inspect } from 'node:util';

import { ChannelClosedError, ChannelTimeoutError } from './errors.js';
import { receiveUntilClosed, receiveUntilClosedAsync } from './iteration.js';
import type { OperationOptions } from './channel.js';
import { type SharedWait, waitForChange } from './shared-wait.js';
import { decodeValue, encodeValue, rawArrayBufferBytes } from './worker-codec.js';
import { CLOSED_MARK, DATA_PARKED, DATA_SEQ, MAX_CAPACITY, NOTHING, Ring, SPACE_PARKED, SPACE_SEQ, ringBytes } from './worker-ring.js';

/** Options for a {@link WorkerChannel}. */
export interface WorkerChannelOptions {
  /** How many values the channel holds before senders block: a whole number from 1 to 65534. */
  capacity: number;
  /**
   * The largest serialized value, in bytes, that fits in one of the
   * channel's `capacity` slots (default 8192); an `ArrayBuffer` sent on its
   * own is not serialized and fits when its `byteLength` is at most this. A
   * larger value makes `send` throw `RangeError`. The channel takes about
   * `capacity * slotBytes` bytes of shared memory.
   */
  slotBytes?: number;
}

/**
 * What {@link WorkerChannel.handle} gives: a structured-cloneable value that
 * carries the channel's shared memory to another thread. Its fields are not
 * part of the API.
 */
export interface WorkerChannelHandle {
  /** @internal */
  readonly memory: SharedArrayBuffer;
  /** @internal */
  readonly capacity: number;
  /** @internal */
  readonly slotBytes: number;
}

const DEFAULT_SLOT_BYTES = 8192;

/** What from() passes to the constructor: open this memory instead of making new. */
class Opening {
  constructor(readonly memory: SharedArrayBuffer) {}
}

function wholeNumberOption(caller: string, name: string, value: unknown, min: number, max: number, unit: string): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${caller}: ${name} must be a number, not ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${caller}: ${name} must be a whole number${unit} from ${min} to ${max}, not ${value}`);
  }
}
const MAX_SLOT_BYTES = 2 ** 30;

/** A blocking operation as steps: each step is a wait for shared memory to change (true) or time out (false). */
type Steps<T> = Generator<Promise<boolean>, T, boolean>;

/**
 * A buffered channel whose ends may live in any threads of the process
 * (the main thread and `worker_threads` workers): Go's channels across
 * cores. Values are structured-cloned when they are sent (plain data in a
 * compact encoding of the channel's own, anything else with `v8.serialize`),
 * into shared memory; every value is received exactly once, in the order of
 * its sender. A full channel blocks senders, an empty one receivers; a
 * blocked tasklet blocks only itself, never its thread.
 *
 * Make the channel in one thread, pass {@link WorkerChannel.handle} to the
 * others (`workerData`, `postMessage`) and open it there with
 * {@link WorkerChannel.from}. See docs/worker-channels.md.
 *
 * @example
 * ```ts
 * const jobs = new WorkerChannel<number>({ capacity: 64 });
 * const worker = new Worker(new URL('./stage.js', import.meta.url), { workerData: jobs.handle });
 * // in stage.js: const jobs = WorkerChannel.from<number>(workerData);
 * await jobs.sendAsync(42);
 * ```
 */
export class WorkerChannel<T> implements Iterable<T>, AsyncIterable<T> {
  readonly #ring: Ring;
  readonly #words: Int32Array;
  readonly #capacity: number;
  readonly #slotBytes: number;

  /**
   * Makes a channel with its own shared memory.
   *
   * @throws TypeError when `options` is not an object or a field is not a number.
   * @throws RangeError when `capacity` or `slotBytes` is out of range.
   */
  constructor(options: WorkerChannelOptions);
  /** @internal from() opens the memory of an existing channel. */
  constructor(options: WorkerChannelOptions, opening: Opening);
  constructor(options: WorkerChannelOptions, opening?: Opening) {
    const caller = opening instanceof Opening ? 'WorkerChannel.from()' : 'new WorkerChannel()';
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${caller} takes an options object ({ capacity, slotBytes? }), not ${describe(options)}`);
    }
    const { capacity, slotBytes = DEFAULT_SLOT_BYTES } = options;
    wholeNumberOption(caller, 'capacity', capacity, 1, MAX_CAPACITY, '');
    wholeNumberOption(caller, 'slotBytes', slotBytes, 1, MAX_SLOT_BYTES, ' of bytes');
    const shape = { capacity, slotBytes };
    const memory = opening instanceof Opening ? opening.memory : new SharedArrayBuffer(ringBytes(shape));
    this.#ring = new Ring(memory, shape);
    this.#words = this.#ring.words;
    this.#capacity = capacity;
    this.#slotBytes = slotBytes;
  }

  /**
   * Opens in this thread the channel that `handle` (another thread's
   * {@link WorkerChannel.handle}) stands for.
   *
   * @throws TypeError when `handle` is not a WorkerChannel's handle.
   */
  static from<T>(handle: WorkerChannelHandle): WorkerChannel<T> {
    if (
      typeof handle !== 'object' ||
      handle === null ||
      !(handle.memory instanceof SharedArrayBuffer) ||
      !Number.isInteger(handle.capacity) ||
      !Number.isInteger(handle.slotBytes)
    ) {
      throw new TypeError(`WorkerChannel.from() takes the handle of a WorkerChannel (its .handle, passed to this thread), not ${describe(handle)}`);
    }
    return new WorkerChannel<T>({ capacity: handle.capacity, slotBytes: handle.slotBytes }, new Opening(handle.memory));
  }

  /** A structured-cloneable value to pass to another thread, where {@link WorkerChannel.from} opens the same channel. */
  get handle(): WorkerChannelHandle {
    return { memory: this.#ring.memory, capacity: this.#capacity, slotBytes: this.#slotBytes };
  }

  /** How many values the channel holds before senders block. */
  get capacity(): number {
    return this.#capacity;
  }

  /** The largest serialized value a slot holds, in bytes. */
  get slotBytes(): number {
    return this.#slotBytes;
  }

  /** Whether close() was called, in any thread. */
  get closed(): boolean {
    return this.#ring.closed;
  }

  /**
   * Sends a copy of `value`, blocking the calling tasklet while the channel
   * is full.
   *
   * @throws SchedulerError on the main tasklet (use {@link sendAsync}).
   * @throws DataCloneError when `value` cannot be structured-cloned; nothing is sent.
   * @throws RangeError when `value` serializes to more than `slotBytes`; nothing is sent.
   * @throws ChannelClosedError when the channel is closed, or closes while the send waits.
   * @throws ChannelTimeoutError when `options.timeout` ms pass first.
   */
  send(value: T, options?: OperationOptions): void {
    const timeout = timeoutOption(options, 'send');
    requireTasklet('send', 'sendAsync');
    const raw = rawArrayBufferBytes(value);
    const bytes = this.#fitting(raw ?? this.#encode(value));
    // With room, no generator is made (most sends).
    if (this.#trySend(bytes, raw !== undefined)) return;
    runBlocking(this.#sendSteps(bytes, raw !== undefined, timeout));
  }

  /**
   * Receives the next value, blocking the calling tasklet while the channel
   * is empty.
   *
   * @throws SchedulerError on the main tasklet (use {@link receiveAsync}).
   * @throws ChannelClosedError when the channel is closed and drained.
   * @throws ChannelTimeoutError when `options.timeout` ms pass first.
   */
  receive(options?: OperationOptions): T {
    const timeout = timeoutOption(options, 'receive');
    requireTasklet('receive', 'receiveAsync');
    const value = this.#tryReceive();
    if (value !== NOTHING) return value;
    return runBlocking(this.#receiveSteps(timeout));
  }

  /**
   * {@link send} for code outside tasklets: settles once the value is in the
   * channel. The value is copied at once, so it may be changed afterwards.
   */
  sendAsync(value: T, options?: OperationOptions): Promise<void> {
    try {
      const timeout = timeoutOption(options, 'sendAsync');
      const raw = rawArrayBufferBytes(value);
      const bytes = this.#fitting(raw ?? this.#encode(value));
      if (this.#trySend(bytes, raw !== undefined)) return Promise.resolve();
      return runAsync(this.#sendSteps(bytes, raw !== undefined, timeout));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** {@link receive} for code outside tasklets. */
  receiveAsync(options?: OperationOptions): Promise<T> {
    try {
      const timeout = timeoutOption(options, 'receiveAsync');
      const value = this.#tryReceive();
      if (value !== NOTHING) return Promise.resolve(value);
      return runAsync(this.#receiveSteps(timeout));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Closes the channel for every thread: blocked and later sends throw
   * ChannelClosedError; receivers get what was sent before, then
   * ChannelClosedError. Closing again does nothing.
   */
  close(): void {
    this.#ring.close();
    const words = this.#words;
    Atomics.add(words, DATA_SEQ, 1);
    Atomics.add(words, SPACE_SEQ, 1);
    Atomics.store(words, DATA_PARKED, 0);
    Atomics.store(words, SPACE_PARKED, 0);
    Atomics.notify(words, DATA_SEQ);
    Atomics.notify(words, SPACE_SEQ);
  }

  /** Receives (in a tasklet) until the channel is closed and drained. */
  [Symbol.iterator](): Iterator<T> {
    return receiveUntilClosed(() => this.receive());
  }


  /** `for await (const value of channel)`, for code outside tasklets. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return receiveUntilClosedAsync(() => this.receiveAsync());
  }


  [inspect.custom](): string {
    return `WorkerChannel { buffered: ${this.#ring.length}/${this.#capacity}${this.closed ? ', closed' : ''} }`;
  }

  toString(): string {
    return 'WorkerChannel';
  }

  /** The encoding of `value` (not a raw ArrayBuffer); throws DataCloneError for one that cannot be cloned. */
  #encode(value: unknown): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = encodeValue(value, this.#slotBytes);
    } catch (error) {
      // v8.serialize throws a plain Error; structuredClone() and postMessage() a DataCloneError.
      if (error instanceof Error && error.constructor === Error && /could not be cloned|Unserializable host object/.test(error.message)) {
        const what = error.message.split('\n')[0]!.slice(0, 200);
        throw new DOMException(`WorkerChannel#send(): the value cannot be structured-cloned (${what})`, 'DataCloneError');
      }
      throw error;
    }
    return bytes;
  }

  /** True once sent, false when full; throws when closed. `raw`: bytes of an ArrayBuffer, not an encoding. */
  #trySend(bytes: Uint8Array, raw: boolean): boolean {
    const ring = this.#ring;
    if (ring.closed) throw new ChannelClosedError('send on a closed WorkerChannel');
    const slot = ring.acquireSlot();
    if (slot < 0) return false;
    ring.write(slot, bytes, raw);
    if (!ring.publish(slot)) {
      ring.releaseSlot(slot);
      throw new ChannelClosedError('send on a closed WorkerChannel');
    }
    wakeParked(this.#words, DATA_PARKED, DATA_SEQ);
    return true;
  }

  /** The value taken, or NOTHING when empty; throws when closed and drained. */
  #tryReceive(): T | typeof NOTHING {
    const taken = this.#ring.take();
    if (taken === NOTHING) return NOTHING;
    if (taken === CLOSED_MARK) throw new ChannelClosedError('receive on a closed WorkerChannel');
    wakeParked(this.#words, SPACE_PARKED, SPACE_SEQ);
    const ring = this.#ring;
    return (ring.takenBuffer ?? decodeValue(ring.taken, taken, ring.takenPrivate)) as T;
  }

  /** `bytes`, unless they are more than a slot holds: then a RangeError. */
  #fitting(bytes: Uint8Array): Uint8Array {
    if (bytes.length > this.#slotBytes) {
      throw new RangeError(
        `WorkerChannel#send(): the value serializes to ${bytes.length} bytes, more than the channel's slotBytes (${this.#slotBytes}); make the channel with a larger slotBytes`,
      );
    }
    return bytes;
  }

  /** A send that found the channel full (its first #trySend failed). */
  *#sendSteps(bytes: Uint8Array, raw: boolean, timeout: number | undefined): Steps<void> {
    // The encoding may be in the thread's scratch buffer, which the next send
    // reuses, and a raw ArrayBuffer is the sender's own: the value is copied at send.
    bytes = bytes.slice();
    yield* this.#blockUntil(SPACE_SEQ, SPACE_PARKED, timeout, 'send', () => this.#trySend(bytes, raw) || NOTHING);
  }

  /** A receive that found the channel empty (its first #tryReceive failed). */
  *#receiveSteps(timeout: number | undefined): Steps<T> {
    return yield* this.#blockUntil(DATA_SEQ, DATA_PARKED, timeout, 'receive', () => this.#tryReceive());
  }

  /**
   * Retries `attempt` until it gives something other than NOTHING, parking
   * between tries until the word `sequence` changes. Each try comes after
   * `parked` is raised and `sequence` read; a thread that then changes the
   * state either sees `parked` raised and bumps `sequence` (which ends our
   * wait, or makes it end at once), or lowered it before we raised it, and so
   * changed the state before our try, which sees the change.
   * (It parks at once: watching the word for a few microseconds first made a
   * ping-pong several times slower on a loaded machine, where a spinning
   * thread loses its core to other work.)
   */
  *#blockUntil<R>(sequence: number, parked: number, timeout: number | undefined, operation: string, attempt: () => R | typeof NOTHING): Steps<R> {
    const words = this.#words;
    const deadline = timeout === undefined ? undefined : performance.now() + timeout;
    let pending: SharedWait | undefined;
    try {
      for (;;) {
        const seen = Atomics.load(words, sequence);
        Atomics.store(words, parked, 1);
        const result = attempt();
        if (result !== NOTHING) return result;
        let remaining: number | undefined;
        if (deadline !== undefined) {
          remaining = deadline - performance.now();
          if (remaining <= 0) throw new ChannelTimeoutError(`${operation}() on a WorkerChannel timed out after ${timeout} ms`);
        }
        pending = waitForChange(words, sequence, seen, remaining);
        yield pending.changed;
        pending = undefined;
      }
    } finally {
      pending?.abandon();
    }
  }
}

/**
 * After a change of state that the threads parked on `words[sequence]` wait
 * for: when `parked` is raised, lowers it, bumps the sequence and wakes
 * them. Most operations find nobody parked and touch neither the sequence
 * nor Atomics.notify (a process-wide lock in V8).
 */
function wakeParked(words: Int32Array, parked: number, sequence: number): void {
  if (Atomics.load(words, parked) === 0 || Atomics.exchange(words, parked, 0) === 0) return;
  Atomics.add(words, sequence, 1);
  Atomics.notify(words, sequence);
}

function requireTasklet(operation: string, asyncName: string): void {
  if (getcurrent().isMain) {
    throw new SchedulerError(
      `WorkerChannel#${operation}() blocks the calling tasklet and cannot block the main tasklet, which runs the event loop; use ${asyncName}() there`,
    );
  }
}

function timeoutOption(options: OperationOptions | undefined, operation: string): number | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`WorkerChannel#${operation}() takes an options object ({ timeout }), not ${describe(options)}`);
  }
  const { timeout } = options;
  if (timeout === undefined) return undefined;
  if (typeof timeout !== 'number') throw new TypeError(`WorkerChannel#${operation}(): timeout must be a number, not ${describe(timeout)}`);
  if (!(timeout >= 0) || timeout === Infinity) {
    throw new RangeError(`WorkerChannel#${operation}(): timeout must be a finite number of milliseconds >= 0, not ${timeout}`);
  }
  return timeout;
}

/** Runs blocking steps in a tasklet: each wait blocks only the tasklet (tasklets' wait()). */
function runBlocking<R>(steps: Steps<R>): R {
  let step = steps.next();
  try {
    while (!step.done) step = steps.next(wait(step.value));
    return step.value;
  } finally {
    if (!step.done) steps.return(undefined as R);
  }
}

async function runAsync<R>(steps: Steps<R>): Promise<R> {
  let step = steps.next();
  try {
    while (!step.done) step = steps.next(await step.value);
    return step.value;
  } finally {
    if (!step.done) steps.return(undefined as R);
  }
}
