import { Greenlet } from '@stackless/greenlet';
import { creatorStoresInUse } from '@stackless/greenlet/internal';
import { inspect } from 'node:util';

import { header } from './dump.js';
import { SchedulerError, TaskletExit } from './errors.js';
import { type JoinOptions, joinTasklet } from './join.js';
import { events, log, logDebug } from './observe.js';
import {
  TaskletCore,
  currentCore,
  dequeue,
  emitDuringOperation,
  enqueue,
  label,
  mainCore,
  raiseIn,
  runNow,
  runTasklet,
} from './scheduler.js';

type TaskletFunction = (...args: any[]) => unknown;

/**
 * Passed as `fn` by {@link createMainTasklet} alone: the tasklet made is the
 * thread's main one. Nothing outside this module can pass it.
 */
const MAIN: unique symbol = Symbol('the main tasklet');

/**
 * A micro-thread scheduled round-robin with the others of its thread, the
 * Stackless way. Its function runs on a greenlet of its own, so it can block
 * (on channels, `sleep()`, `wait()`) from any depth of calls.
 *
 * Lifecycle: unbound (no function or no arguments yet), paused (bound, not in
 * the run queue), scheduled (runnable, or blocked), dead.
 */
export class Tasklet {
  /** @internal */
  readonly core: TaskletCore;

  /** @param fn - the function to run; its name is the tasklet's default {@link Tasklet.name | name}. */
  constructor(fn?: TaskletFunction);
  constructor(fn?: TaskletFunction | typeof MAIN) {
    this.core = new TaskletCore(this, fn === MAIN);
    if (fn === MAIN) return;
    if (fn !== undefined) this.bind(fn);
    if (logDebug) log.debug({ tasklet: label(this.core), id: this.core.id }, 'created');
    if (events.listening) emitDuringOperation('created', this);
  }

  /**
   * Binds the function to run and, if `args` is given, its arguments: the
   * tasklet is then alive but paused until `insert()`. As in Stackless, a
   * scheduled tasklet cannot be rebound: `remove()` it first.
   */
  bind(fn: TaskletFunction | undefined, args?: unknown[]): this {
    const core = this.#mutableCore('bind');
    if (core.queued || core.blocker !== undefined) {
      throw new SchedulerError('bind(): the tasklet is scheduled; remove() it before binding it again');
    }
    if (fn !== undefined) {
      if (typeof fn !== 'function') throw new TypeError(`a tasklet runs a function, not ${typeof fn}`);
      core.fn = fn;
      core.fnName = typeof fn.name === 'string' ? fn.name : '';
    }
    if (args !== undefined) {
      if (!Array.isArray(args)) throw new TypeError('bind() takes its arguments as an array');
      if (core.fn === undefined) throw new SchedulerError('bind(): no function to bind the arguments to');
      core.args = args;
    }
    return this;
  }

  /**
   * Binds the arguments and puts the tasklet at the end of the run queue. As
   * in Stackless, only a tasklet that is not alive yet can be set up.
   */
  setup(...args: unknown[]): this {
    const core = this.#mutableCore('setup');
    if (core.alive) throw new SchedulerError('setup(): the tasklet is alive: its arguments are bound already');
    if (core.fn === undefined) throw new SchedulerError('setup(): the tasklet has no function; pass one to new Tasklet(fn) or bind()');
    core.args = args;
    this.insert();
    return this;
  }

  /** Puts a paused tasklet at the end of the run queue. */
  insert(): this {
    const core = this.core;
    if (core.dead) throw new SchedulerError('insert(): the tasklet is dead');
    if (!core.alive) throw new SchedulerError('insert(): the tasklet is not bound; call setup() or bind(fn, args)');
    if (core.blocker !== undefined) throw new SchedulerError('insert(): the tasklet is blocked; it is woken by what it waits for');
    enqueue(core);
    return this;
  }

  /** Takes a runnable tasklet out of the run queue: it is paused until inserted again. */
  remove(): this {
    const core = this.core;
    if (core.blocker !== undefined) throw new SchedulerError('remove(): the tasklet is blocked, not in the run queue');
    if (core === currentCore()) throw new SchedulerError('remove(): use scheduleRemove() to pause the current tasklet');
    dequeue(core);
    return this;
  }

  /**
   * Runs this tasklet now; the caller stays runnable. One that was not in
   * the run queue goes in just ahead of the caller, which runs right after
   * it. For one already runnable the queue turns round to it, as in
   * Stackless: the tasklets that were between the caller and it then come
   * after the caller.
   */
  run(): void {
    runNow(this.#runnableCore('run'), false);
  }

  /** Runs this tasklet now; the caller is paused (out of the run queue). */
  switch(): void {
    runNow(this.#runnableCore('switch'), true);
  }

  /**
   * Ends the tasklet: throws {@link TaskletExit} in it, so its finally blocks
   * run, at once (the caller stays runnable). A tasklet that never ran just
   * dies; a dead one is left alone.
   */
  kill(): void {
    if (this.core.dead) return;
    this.#raise(new TaskletExit());
  }

  /** Throws `error` in the tasklet where it is suspended, at once. */
  throw(error: unknown): void {
    if (this.core.dead) throw new SchedulerError('throw(): the tasklet is dead');
    this.#raise(error);
  }

  /** `throw(new ErrorClass(...args))`. */
  raiseException(ErrorClass: new (...args: any[]) => unknown, ...args: unknown[]): void {
    if (typeof ErrorClass !== 'function') throw new TypeError('raiseException() takes an error class');
    this.throw(new ErrorClass(...args));
  }

  /**
   * Blocks the calling tasklet until this one has ended and returns what its
   * function returned, or throws what it threw (gevent's `Greenlet.get()`);
   * see join.ts.
   *
   * @throws TimeoutError when `timeout` ms pass first.
   */
  join(options?: JoinOptions): unknown {
    return joinTasklet(this, options);
  }

  /**
   * A number unique among the tasklets of this thread and never reused
   * there; the main tasklet's is 0.
   */
  get id(): number {
    return this.core.id;
  }

  /**
   * What `util.inspect`, log lines and `dumpTasklets()` call the tasklet,
   * with its id. Defaults to the name of its function (given to the
   * constructor, `tasklet()` or `bind()`) when it has one, else
   * `tasklet-<id>`; `'main'` for the main tasklet. Kept after the tasklet ends.
   */
  get name(): string {
    return this.core.name;
  }

  set name(value: string) {
    if (typeof value !== 'string') throw new TypeError(`a tasklet's name is a string, not ${typeof value}`);
    this.core.givenName = value;
  }

  /**
   * Where the tasklet stands, as the frame lines of an `Error.stack`,
   * innermost first: the frame that called the blocking operation (or
   * `schedule()`) first, the tasklet's function last; for the running
   * tasklet, its current stack. As `Greenlet#captureStack()`: no frames
   * of this library, at most `Error.stackTraceLimit`, no JavaScript run,
   * the tasklet left exactly as it was. `null` before it starts and once it
   * has ended.
   */
  captureStack(): string | null {
    const core = this.core;
    if (core.dead || !core.started || core.greenlet === undefined) return null;
    return core.greenlet.captureStack();
  }

  /** Bound and not dead. */
  get alive(): boolean {
    return this.core.alive;
  }

  /** Blocked on a channel, a timer (`sleep`) or a promise (`wait`). */
  get blocked(): boolean {
    return this.core.blocker !== undefined;
  }

  /** Runnable or blocked: it will run again without anyone inserting it. */
  get scheduled(): boolean {
    return this.core.queued || this.core.blocker !== undefined;
  }

  /** Alive but neither runnable nor blocked. */
  get paused(): boolean {
    return this.core.alive && !this.scheduled;
  }

  get isMain(): boolean {
    return this.core.isMain;
  }

  get isCurrent(): boolean {
    return this.core === currentCore();
  }

  /** The value the tasklet receives when it next resumes (schedule(), channels). */
  get tempval(): unknown {
    return this.core.tempval;
  }

  set tempval(value: unknown) {
    this.core.tempval = value;
  }

  [inspect.custom](): string {
    return header(this.core);
  }

  #mutableCore(operation: string): TaskletCore {
    const core = this.core;
    if (core.isMain) throw new SchedulerError(`${operation}(): the main tasklet runs the thread's own code`);
    if (core.dead) throw new SchedulerError(`${operation}(): the tasklet is dead`);
    if (core.started) throw new SchedulerError(`${operation}(): the tasklet has already started`);
    if (core.greenlet === undefined && !core.greenletDeferred) {
      // A greenlet made now keeps its creator's AsyncLocalStorage stores.
      // With none in use there is nothing to keep: it is made when the
      // tasklet starts (markStarted()), so a tasklet queued by the thousand
      // costs half the memory until its turn, and the collector less.
      if (creatorStoresInUse()) core.greenlet = new Greenlet(() => runTasklet(core), mainCore().greenlet!);
      else core.greenletDeferred = true;
    }
    return core;
  }

  #runnableCore(operation: string): TaskletCore {
    const core = this.core;
    if (core.dead) throw new SchedulerError(`${operation}(): the tasklet is dead`);
    if (!core.alive) throw new SchedulerError(`${operation}(): the tasklet is not bound; call setup() or bind(fn, args)`);
    if (core.blocker !== undefined) throw new SchedulerError(`${operation}(): the tasklet is blocked on ${core.blocker.reason}`);
    return core;
  }

  #raise(error: unknown): void {
    const core = this.core;
    if (!core.alive && !core.isMain) {
      // Bound to no arguments yet: nothing has run and nothing will.
      core.dead = true;
      dequeue(core);
      return;
    }
    raiseIn(core, error);
  }
}

/** The thread's main tasklet, which wraps its main greenlet; made once, by thread.ts. */
export function createMainTasklet(): Tasklet {
  const construct = Tasklet as unknown as new (token: typeof MAIN) => Tasklet;
  return new construct(MAIN);
}
