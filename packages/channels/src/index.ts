/**
 * Stackless channels for `@stackless/tasklets`: rendezvous send and receive
 * between tasklets, with close and iteration, plus what Go users expect:
 * buffers, select, timeouts, and promise access for code outside tasklets
 * (docs/channels.md); and WorkerChannel between worker threads (docs/worker-channels.md).
 *
 * @packageDocumentation
 */
import './thread.js';

export { Channel, type ChannelOptions, type OperationOptions } from './channel.js';
export { ChannelClosedError, ChannelTimeoutError } from './errors.js';
export {
  select,
  onReceive,
  onSend,
  type SelectCase,
  type SelectOptions,
  type SelectResult,
  type ReceiveCase,
  type SendCase,
} from './select.js';
export { setChannelCallback, getChannelCallback, type ChannelCallback } from './channel.js';
export { DeadlockError } from '@stackless/tasklets';
/** Channels between worker threads: see docs/worker-channels.md. */
export { WorkerChannel, type WorkerChannelOptions, type WorkerChannelHandle } from './worker-channel.js';
