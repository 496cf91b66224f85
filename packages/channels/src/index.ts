/**
 * Stackless channels for `@stackless/tasklets`: rendezvous send and receive
 * between tasklets, with close and iteration. See docs/channels.md.
 *
 * @packageDocumentation
 */
export { Channel } from './channel.js';
export { ChannelClosedError } from './errors.js';
export { setChannelCallback, getChannelCallback, type ChannelCallback } from './channel-callback.js';
export { DeadlockError } from '@stackless/tasklets';
