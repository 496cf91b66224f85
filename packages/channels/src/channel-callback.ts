import type { Tasklet } from '@stackless/tasklets';

import type { Channel } from './channel.js';

/**
 * Stackless' channel callback: called on every send and receive with the
 * channel, the acting tasklet, whether it sends, and whether it will block.
 */
export type ChannelCallback = (channel: Channel<any>, tasklet: Tasklet, sending: boolean, willBlock: boolean) => void;

let callback: ChannelCallback | null = null;

/** Installs the channel callback (or removes it with `null`); returns the previous one. */
export function setChannelCallback(fn: ChannelCallback | null): ChannelCallback | null {
  if (fn !== null && typeof fn !== 'function') throw new TypeError('setChannelCallback() takes a function or null');
  const previous = callback;
  callback = fn;
  return previous;
}

export function getChannelCallback(): ChannelCallback | null {
  return callback;
}
