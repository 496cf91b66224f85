/**
 * Greenlets for Node.js: micro-threads that switch real machine stacks, so a
 * function can suspend from any depth of nested calls. A port of Python's
 * greenlet; see docs/greenlet.md.
 *
 * @packageDocumentation
 */
import './thread.js';

export { Greenlet, getcurrent, type RunFunction } from './greenlet.js';
export { GreenletError, GreenletExit, StackAllocationError } from './errors.js';
export { settrace, gettrace, type Tracer, type TraceEvent } from './tracing.js';
export { configure, stats, trimMemory, type GreenletOptions, type GreenletStats } from './config.js';
