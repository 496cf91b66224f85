// Go's select over channel operations, for tasklets.
import type { Channel } from './channel.js';
import { type SelectOptions, type SelectResult, isChannel, selectOn } from './wait.js';

export type { SelectOptions, SelectResult } from './wait.js';

/** A receive case of {@link select}. */
export interface ReceiveCase<T> {
  readonly channel: Channel<T>;
  readonly sending: false;
}

/** A send case of {@link select}. */
export interface SendCase<T> {
  readonly channel: Channel<T>;
  readonly sending: true;
  readonly value: T;
}

export type SelectCase = ReceiveCase<any> | SendCase<any>;

/** A receive case for {@link select}. */
export function onReceive<T>(channel: Channel<T>): ReceiveCase<T> {
  checkChannel(channel, 'onReceive');
  return { channel, sending: false };
}

/** A send case for {@link select}. */
export function onSend<T>(channel: Channel<T>, value: T): SendCase<T> {
  checkChannel(channel, 'onSend');
  return { channel, sending: true, value };
}

function checkChannel(channel: unknown, operation: string): void {
  if (!isChannel(channel)) {
    throw new TypeError(`${operation}() takes a Channel, not ${channel === null ? 'null' : typeof channel}`);
  }
}

/**
 * Waits until one of several channel operations can happen, does it, and
 * says which. Among cases ready at once the choice is fair (random). A
 * receive case on a closed, drained channel is ready and reports `closed`; a
 * send case on a closed channel throws ChannelClosedError, as in Go.
 *
 * @example
 * ```ts
 * const { index, value } = select([onReceive(requests), onReceive(quit)], { timeout: 1000 });
 * ```
 */
export function select(cases: readonly SelectCase[], options: SelectOptions = {}): SelectResult {
  return selectOn(cases, options);
}
