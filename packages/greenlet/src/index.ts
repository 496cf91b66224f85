/**
 * Greenlets for Node.js: micro-threads that switch real machine stacks, so a
 * function can suspend from any depth of nested calls. A port of Python's
 * greenlet; see docs/greenlet.md.
 *
 * @packageDocumentation
 */
export { Greenlet, getcurrent, hideFramesOf, type RunFunction } from './greenlet.js';
export { GreenletError, GreenletExit, StackAllocationError } from './errors.js';
export { settrace, gettrace, type Tracer, type TraceEvent } from './tracing.js';
export { configure, stats, trimMemory, type GreenletOptions, type GreenletStats } from './config.js';
/**
 * For the tasklet scheduler's blocking-code watchdog, not for applications
 * (kept in the types: the layer above compiles against them).
 *
 * @hidden
 */
export { blockingReportPending, takeBlockingReport, watchBlocking, type BlockingReport } from './blocking-watch.js';
/**
 * Names a value in an error message without running user code; for the
 * packages built on greenlets, not for applications.
 *
 * @hidden
 */
export { describe as describeValue } from './describe.js';
/**
 * For the tasklet scheduler, which makes a tasklet's greenlet only when it
 * starts while no AsyncLocalStorage is in use; not for applications.
 *
 * @hidden
 */
export { creatorStoresInUse, greenletWithoutStores } from './greenlet.js';
