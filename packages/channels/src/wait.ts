// Waiting on several channel operations at once, with an optional timeout:
// the body of select(), also used by a send or receive with a timeout. It
// knows channels only as Selectable, so channel.ts can use it.
import { blockCurrent, getcurrent, startTimer, unblock, unblockAndRun } from '@stackless/tasklets';
import { describeValue as describe, markDeliveredError } from '@stackless/tasklets/internal';

import { ChannelClosedError } from './errors.js';
import { type Delivery, type Selectable, type Waiter, NOTHING_READY, unpack, unwrap } from './waiter.js';

/** One operation to wait on: a receive, or a send of `value`. */
export interface WaitCase {
  readonly channel: Selectable;
  readonly sending: boolean;
  readonly value?: unknown;
}

export interface SelectOptions {
  /** Return at once (index -1) if no case is ready, like Go's `default:`. */
  default?: boolean;
  /** Give up after this many milliseconds (index -1, `timedOut`). */
  timeout?: number;
}

/** Which case happened. */
export interface SelectResult<T = unknown> {
  /** The case's position in the list; -1 for the default or a timeout. */
  index: number;
  /** The value received (receive cases). */
  value?: T;
  /** A receive case whose channel is closed and drained. */
  closed?: boolean;
  timedOut?: boolean;
}

/** Told by its select() hooks, which is all this module may know of a channel. */
export function isChannel(value: unknown): value is Selectable {
  return typeof (value as Selectable | null)?.takeReady === 'function';
}

/** select(): checks its arguments, then does a ready case, the default, or waits. */
export function selectOn(cases: readonly WaitCase[], options: SelectOptions): SelectResult {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`select() takes an options object ({ default, timeout }), not ${options === null ? 'null' : typeof options}`);
  }
  checkCases(cases, options);
  const ready = trySelect(cases);
  if (ready !== undefined) return ready;
  if (options.default) return { index: -1 };
  return blockOnCases(cases, options.timeout);
}

function checkCases(cases: readonly WaitCase[], options: SelectOptions): void {
  if (!Array.isArray(cases)) throw new TypeError('select() takes an array of onReceive()/onSend() cases');
  if (cases.length === 0 && !options.default && options.timeout === undefined) {
    throw new TypeError('select() with no cases, no default and no timeout would block forever');
  }
  const directions = new Map<Selectable, boolean>();
  for (const c of cases) {
    if (typeof c !== 'object' || c === null || !isChannel(c.channel)) {
      throw new TypeError('select() cases are made with onReceive(channel) and onSend(channel, value)');
    }
    if (directions.has(c.channel) && directions.get(c.channel) !== c.sending) {
      throw new TypeError(`select(): ${c.channel} is both sent to and received from`);
    }
    directions.set(c.channel, c.sending);
  }
  const { timeout } = options;
  if (timeout !== undefined && typeof timeout !== 'number') {
    throw new TypeError(`select() timeout must be a number of milliseconds, not ${describe(timeout)}`);
  }
  if (timeout !== undefined && (!(timeout >= 0) || timeout === Infinity)) {
    throw new RangeError(`select() timeout must be a finite number of milliseconds >= 0, not ${timeout}`);
  }
}

/** The first ready case, starting at a random one so no case starves. */
function trySelect(cases: readonly WaitCase[]): SelectResult | undefined {
  const start = Math.floor(Math.random() * cases.length);
  for (let k = 0; k < cases.length; k++) {
    const index = (start + k) % cases.length;
    const c = cases[index]!;
    if (c.sending) {
      if (c.channel.trySend(c.value)) return { index };
    } else if (c.channel.canReceive) {
      const ready = c.channel.takeReady();
      if (ready !== NOTHING_READY) return { index, value: unwrap(ready) };
      return { index, closed: true };
    }
  }
  return undefined;
}

type Outcome = { kind: 'case'; index: number; delivery: Delivery } | { kind: 'timeout' };

function blockOnCases(cases: readonly WaitCase[], timeout: number | undefined): SelectResult {
  const self = getcurrent();
  const takeOff: Array<() => void> = [];
  let settled = false;
  let stopTimer: (() => void) | undefined;
  const settle = () => {
    settled = true;
    for (const remove of takeOff) remove();
    stopTimer?.();
  };
  cases.forEach((c, index) => {
    const waiter: Waiter = {
      tasklet: self,
      sending: c.sending,
      value: c.sending ? c.value : undefined,
      isError: false,
      claim: (delivery, runNow) => {
        if (settled) return;
        settle();
        const outcome: Outcome = { kind: 'case', index, delivery };
        if (delivery.isError) markDeliveredError(self);
        if (runNow) unblockAndRun(self, outcome);
        else unblock(self, outcome);
      },
    };
    takeOff.push(c.channel.enqueueWaiter(waiter));
  });
  if (timeout !== undefined) {
    stopTimer = startTimer(timeout, () => {
      if (settled) return;
      settle();
      unblock(self, { kind: 'timeout' } satisfies Outcome);
    });
  }
  let outcome: Outcome;
  try {
    outcome = blockCurrent(`select on ${cases.map((c) => `${c.sending ? 'send' : 'receive'} ${c.channel}`).join(', ') || 'a timeout'}`, settle) as Outcome;
  } catch (error) {
    settle();
    throw error;
  }
  if (outcome.kind === 'timeout') return { index: -1, timedOut: true };
  const { index, delivery } = outcome;
  if (cases[index]!.sending) return { index };
  if (delivery.isError && delivery.value instanceof ChannelClosedError) return { index, closed: true };
  return { index, value: unpack(delivery) };
}
