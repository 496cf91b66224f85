// The protocol between a channel and whoever waits on it: the waiter, what it
// is woken with, and what select() needs of a channel. A leaf module: the
// channel, select() and the blocking in wait.ts all build on it.
import type { Tasklet } from '@stackless/tasklets';

/** What a blocked receive or send ends with: a value, or an error to throw. */
export interface Delivery {
  readonly value: unknown;
  readonly isError: boolean;
}

/**
 * A tasklet blocked on the channel. `claim` is set for a waiter that belongs
 * to a select(): the first channel to serve it calls claim(), which takes the
 * select's other waiters off their channels and unblocks the tasklet (and
 * runs it at once with `runNow`, see unblockAndRun()).
 */
export interface Waiter {
  readonly tasklet: Tasklet;
  readonly sending: boolean;
  readonly value: unknown;
  readonly isError: boolean;
  readonly claim?: (delivery: Delivery, runNow: boolean) => void;
}

/** What select() and a timed send or receive use of a channel (Channel's internal members). */
export interface Selectable {
  /** A value that can be received without blocking, as buffered (see unwrap()); NOTHING_READY if none. */
  takeReady(): unknown;
  /** Sends without blocking if a receiver is blocked or the buffer has room; returns whether it did. */
  trySend(value: unknown): boolean;
  /** Whether a receive would not block. */
  readonly canReceive: boolean;
  /** Queues a select's waiter; returns how to take it off again. */
  enqueueWaiter(waiter: Waiter): () => void;
  toString(): string;
}

/**
 * An error sent with sendThrow() while it waits in a buffer or is handed out
 * by takeReady(). Every other value stands for itself, so a buffered value
 * needs no record of its own. Nothing outside this module can make one.
 */
class Thrown {
  constructor(readonly error: unknown) {}
}

/** takeReady() found nothing to receive. */
export const NOTHING_READY: unique symbol = Symbol('nothing ready');

/** A sent value as buffered (see Thrown). */
export function asItem(value: unknown, isError: boolean): unknown {
  return isError ? new Thrown(value) : value;
}

/** A value as buffered (itself, or Thrown): returns it, or throws the error. */
export function unwrap(item: unknown): unknown {
  if (item instanceof Thrown) throw item.error;
  return item;
}

export function unpack(delivery: Delivery): unknown {
  if (delivery.isError) throw delivery.value;
  return delivery.value;
}
