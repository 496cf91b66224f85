// Structured concurrency: scope() and its Scope (Trio's nursery and cancel
// scope, Go's errgroup with a context, asyncio's TaskGroup). No child
// outlives its scope; the first error cancels the rest and propagates.
import { GreenletExit, getcurrent as currentGreenlet } from '@stackless/greenlet';

import { SchedulerError, TaskletExit, TimeoutError } from './errors.js';
import { type ChildOwner } from './join.js';
import { type Blocker, type TaskletCore, block, currentCore, interrupt, wake } from './scheduler.js';
import { Tasklet } from './tasklet.js';
import { startTimer } from './timer.js';
import { timeoutOption } from './waiting.js';

/** Options of {@link scope}. */
export interface ScopeOptions {
  /** Cancel the scope after this many milliseconds; `scope()` then throws {@link TimeoutError}. */
  timeout?: number;
  /** Cancel the scope when this signal aborts; `scope()` then throws `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * The TaskletExits that cancellation raises. A scope takes them as its own
 * cancellation completing; a TaskletExit from somebody's kill() goes on.
 */
const cancellations = new WeakSet<object>();

function cancellation(): TaskletExit {
  const exit = new TaskletExit('the scope was cancelled');
  cancellations.add(exit);
  return exit;
}

function isExit(error: unknown): error is TaskletExit | GreenletExit {
  return error instanceof TaskletExit || error instanceof GreenletExit;
}

/**
 * Raises a cancellation in `core` unless it is the current tasklet (which
 * meets it at its next blocking operation) or is about to throw an error
 * already (a failure a join delivered to it, an error a channel delivered:
 * it must not be lost; its next blocking operation is cancelled anyway).
 */
function cancelIn(core: TaskletCore): void {
  if (core.hasWakeError || core.deliveredError) return;
  interrupt(core, cancellation());
}

/** How a scope was cancelled: s.cancel(), an error (or timeout, signal), an outer scope, a kill of its body's tasklet. */
type Cancellation = 'cancel' | 'error' | 'parent' | 'exit';

/**
 * The body's wait for the children once it is done. It is no cancellation
 * point (it is how a cancellation completes): Scope#beforeBlock lets it block.
 */
class ChildrenWait implements Blocker {
  waiting = false;
  constructor(readonly reason: string) {}
  cancel(): void {
    this.waiting = false;
  }
}

let scopeCount = 0;
let runScope: <T>(body: (s: Scope) => T, timeout: number | undefined, signal: AbortSignal | undefined) => T;

/**
 * A scope made by {@link scope}: it spawns the children that may not
 * outlive it and cancels them. Only `scope()` makes one.
 */
export class Scope implements ChildOwner {
  readonly #id = ++scopeCount;
  /** The tasklet running the body. */
  readonly #body: TaskletCore;
  readonly #children = new Set<TaskletCore>();
  /** Scopes open inside this one (in its body or its children). */
  readonly #inner = new Set<Scope>();
  readonly #controller = new AbortController();
  /** Errors in the order they were thrown (a timeout or an abort first). */
  readonly #errors: unknown[] = [];
  #cancelled: Cancellation | undefined = undefined;
  /** A TaskletExit of somebody's kill() of the body's tasklet, to go on once the children are gone. */
  #exit: unknown = undefined;
  #ended = false;
  readonly #wait: ChildrenWait;

  /** @internal Use scope(). */
  constructor(token: typeof SCOPE_TOKEN, body: TaskletCore) {
    if (token !== SCOPE_TOKEN) throw new TypeError('a Scope is made by scope(body), not new Scope()');
    this.#body = body;
    this.#wait = new ChildrenWait(`join of the children of Scope#${this.#id}`);
  }

  /**
   * Starts `fn(...args)` in a new tasklet that belongs to this scope: it is
   * runnable at once (at the end of the run queue), and the scope does not
   * end before it has. In a cancelled scope the tasklet dies without running.
   * Returns the tasklet (`join()` gives its result).
   *
   * @throws SchedulerError when the scope has ended.
   */
  spawn<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): Tasklet {
    if (typeof fn !== 'function') throw new TypeError(`spawn() takes a function, not ${fn === null ? 'null' : typeof fn}`);
    if (this.#ended) {
      throw new SchedulerError(`spawn(): Scope#${this.#id} has ended; spawn children while its scope() call is running`);
    }
    const child = new Tasklet(fn);
    const core = child.core;
    core.scope = this;
    this.#children.add(core);
    if (this.#cancelled !== undefined) {
      child.bind(undefined, args);
      interrupt(core, cancellation()); // never started: it dies without running
    } else {
      child.setup(...args);
    }
    return child;
  }

  /**
   * Cancels the scope without an error, and returns at once: the children
   * are killed (TaskletExit where they are suspended), a blocking operation
   * of the body under way or to come throws TaskletExit, and `scope()`
   * returns `undefined`. Cancelling an ended or cancelled scope does nothing.
   */
  cancel(): void {
    this.#cancel('cancel', undefined);
  }

  /**
   * Aborted when the scope is cancelled, for any reason: pass it to the
   * async APIs the body and children call (`wait(request(url, { signal }))`).
   * Its `reason` is the error that cancelled the scope (the first error,
   * the TimeoutError, the outer signal's reason), or an `AbortError`
   * DOMException for `cancel()`. Its listeners run when the scope is
   * cancelled, and must not block.
   */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the scope has been cancelled (by cancel(), an error, a timeout, a signal, an outer scope). */
  get cancelled(): boolean {
    return this.#cancelled !== undefined;
  }

  /** `Scope#<n>`, as in `blocked on join of the children of Scope#2`. */
  toString(): string {
    return `Scope#${this.#id}`;
  }

  /** @internal Every blocking operation in a cancelled scope throws TaskletExit. */
  beforeBlock(_core: TaskletCore, blocker: Blocker): void {
    if (this.#cancelled !== undefined && !(blocker instanceof ChildrenWait)) throw cancellation();
  }

  /** @internal Told by join.ts when a tasklet ends; returns whether it took the failure. */
  childEnded(core: TaskletCore, failure: unknown, failed: boolean): boolean {
    if (!this.#children.delete(core)) return false;
    if (failed) this.#fail(failure);
    if (this.#children.size === 0 && this.#wait.waiting && this.#body.blocker === this.#wait) {
      this.#wait.waiting = false;
      wake(this.#body, undefined);
    }
    return failed;
  }

  /** Records an error, and cancels the scope if it is the first. */
  #fail(error: unknown): void {
    if (this.#ended) return;
    this.#errors.push(error);
    this.#cancel('error', error);
  }

  #cancel(how: Cancellation, reason: unknown): void {
    if (this.#cancelled !== undefined || this.#ended) return;
    this.#cancelled = how;
    for (const inner of [...this.#inner]) inner.#cancel('parent', reason);
    this.#killChildren();
    const body = this.#body;
    // The body's tasklet inside an inner scope is that scope's to wake.
    if (body.scope === this && body.blocker !== undefined && !(body.blocker instanceof ChildrenWait)) cancelIn(body);
    this.#controller.abort(reason ?? new DOMException(`${this} was cancelled`, 'AbortError'));
  }

  #killChildren(): void {
    for (const child of [...this.#children]) {
      // One waiting for its own inner scope's children is that scope's to end (cancelled with this one).
      if (!(child.blocker instanceof ChildrenWait)) cancelIn(child);
    }
  }

  /** What escaped the body. */
  #bodyThrew(error: unknown): void {
    if (!isExit(error)) {
      this.#fail(error);
      return;
    }
    // A cancellation of this scope (or an outer one) completing is no error;
    // a kill() of the body's tasklet goes on once the children are gone.
    if (!(cancellations.has(error) && this.#cancelled !== undefined)) this.#exit ??= error;
    this.#cancel('exit', undefined);
  }

  /** Blocks until every child has ended, whatever happens meanwhile. */
  #waitForChildren(): void {
    const wait = this.#wait;
    while (this.#children.size > 0) {
      wait.waiting = true;
      try {
        block(wait);
      } catch (error) {
        // Killed, a deadlock, an error raised in main: the children go
        // first, then the scope throws it.
        if (isExit(error)) {
          if (!cancellations.has(error)) this.#exit ??= error;
          this.#cancel('exit', undefined);
        } else {
          this.#fail(error);
        }
        this.#killChildren();
      } finally {
        wait.waiting = false;
      }
    }
  }

  #outcome<T>(value: T): T {
    const errors = this.#errors;
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${this}: ${errors.length} errors, in the order they were thrown`);
    if (this.#exit !== undefined) throw this.#exit;
    if (this.#cancelled === 'parent' || this.#cancelled === 'exit') throw cancellation();
    if (this.#cancelled === 'cancel') return undefined as T;
    return value;
  }

  static {
    runScope = <T>(body: (s: Scope) => T, timeout: number | undefined, signal: AbortSignal | undefined): T => {
      const self = currentCore();
      const entered = self.scope;
      const parent = entered instanceof Scope ? entered : undefined;
      const s = new Scope(SCOPE_TOKEN, self);
      self.scope = s;
      let stopTimer: (() => void) | undefined;
      // A timeout or an abort after the scope was cancelled some other way is not what ended it.
      const onAbort = () => {
        if (s.#cancelled === undefined) s.#fail(signal!.reason);
      };
      try {
        if (parent !== undefined) {
          parent.#inner.add(s);
          if (parent.#cancelled !== undefined) s.#cancel('parent', parent.signal.reason);
        }
        if (timeout !== undefined) {
          stopTimer = startTimer(timeout, () => {
            if (s.#cancelled === undefined) s.#fail(new TimeoutError(`scope() timed out after ${timeout} ms`));
          });
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        let value: T | undefined;
        try {
          value = body(s);
        } catch (error) {
          s.#bodyThrew(error);
        }
        s.#waitForChildren();
        s.#ended = true;
        return s.#outcome(value as T);
      } finally {
        s.#ended = true;
        stopTimer?.();
        signal?.removeEventListener('abort', onAbort);
        if (parent !== undefined) parent.#inner.delete(s);
        self.scope = entered;
      }
    };
  }
}

const SCOPE_TOKEN: unique symbol = Symbol('Scope');

/**
 * Runs `body(s)` in the calling tasklet and returns its value once `body`
 * and every tasklet spawned with `s.spawn()` have ended (Trio's nursery, Go's
 * errgroup, asyncio's TaskGroup). From main, the other tasklets run meanwhile.
 *
 * - An error thrown by `body` or a child cancels the scope: the children
 *   still alive are killed (TaskletExit at their suspension points, so their
 *   finally blocks run; unstarted ones die without running), then `scope()`
 *   throws it; several errors come as an AggregateError, in the order they
 *   were thrown. Children's errors are never reported as uncaught.
 * - `s.cancel()` cancels without an error: `scope()` returns `undefined`.
 * - `timeout`: the scope is cancelled after that many ms and `scope()`
 *   throws TimeoutError. `signal`: when it aborts, the scope is cancelled and
 *   `scope()` throws `signal.reason`; one aborted already makes `scope()`
 *   throw `signal.reason` without running `body`.
 * - In a cancelled scope every blocking operation (channels, `sleep`,
 *   `wait`, `join`, `acquire`, `Event#wait`; not `schedule()`) throws
 *   TaskletExit. Scopes nest: cancelling one cancels the scopes inside it,
 *   which then throw TaskletExit.
 *
 * @example
 * ```ts
 * // download() is any promise-returning API that takes an AbortSignal.
 * const pages = scope((s) => {
 *   const tasks = urls.map((url) => s.spawn(() => wait(download(url, { signal: s.signal }))));
 *   return tasks.map((t) => t.join());
 * }, { timeout: 2000 });
 * ```
 */
export function scope<T>(body: (s: Scope) => T, options: ScopeOptions = {}): T {
  if (typeof body !== 'function') throw new TypeError(`scope() takes a function (the body), not ${body === null ? 'null' : typeof body}`);
  const timeout = timeoutOption(options, 'scope()');
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`scope(): signal must be an AbortSignal, not ${signal === null ? 'null' : typeof signal}`);
  }
  if (signal?.aborted) throw signal.reason;
  if (currentCore().greenlet !== currentGreenlet()) {
    throw new SchedulerError(
      "scope() was called on a greenlet that is not a tasklet's own (a Greenlet or a generator's body), " +
        'which the scheduler could not suspend while the children run. Call it in a tasklet.',
    );
  }
  return runScope(body, timeout, signal);
}
