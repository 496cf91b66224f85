/**
 * `@stackless/greenlet/internal`: what the packages built on greenlets
 * (tasklets, channels, generator) use of this one and applications should
 * not: not in the public index, its API reference or its semver promise.
 *
 * @packageDocumentation
 */
import './thread.js';

export { creatorStoresInUse, greenletWithoutStores } from './greenlet.js';
export { hideFramesOf } from './stack-frames.js';
export { describe as describeValue } from './describe.js';
export { blockingReportPending, takeBlockingReport, watchBlocking, type BlockingReport } from './blocking-watch.js';
// The STACKLESS_* variables as @stackless/native read them (tasklets applies STACKLESS_LOG).
export { settings } from '@stackless/native';
