/**
 * `@stackless/tasklets/internal`: what the packages built on tasklets
 * (channels) use of the layers below and applications should not: not in the
 * public index, its API reference or its semver promise.
 *
 * @packageDocumentation
 */
import './thread.js';

export { hideFramesOf, describeValue } from '@stackless/greenlet/internal';
export { markDeliveredError, wakeBlocked } from './blocking.js';
export { block as blockOn, currentTasklet } from './scheduler.js';
