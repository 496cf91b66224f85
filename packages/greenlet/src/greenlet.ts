import { core, settings } from '@stackless/native';
import { inspect, type InspectOptionsStylized } from 'node:util';

import {
  type SavedStores,
  asyncScopeMark,
  captureStores,
  checkNoOpenAsyncScope,
  restoreStores,
  storagesInUse,
  watchAsyncLocalStorages,
} from './async-context.js';
import { configureFromSettings } from './config.js';
import { describe } from './describe.js';
import { GreenletError, GreenletExit, StackAllocationError } from './errors.js';
import { type TraceEvent, currentTracer, replaceTracer } from './trace-state.js';

/** The function a greenlet runs; its arguments come from the first `switch()`. */
export type RunFunction = (...args: any[]) => unknown;

/**
 * Everything the switching machinery knows about a greenlet. Kept apart from
 * the public object (the handle) so that a suspended greenlet's own stack,
 * which holds this record, does not keep its handle alive: when nobody else
 * holds the handle any more, the greenlet is unreachable and gets unwound.
 */
class GreenletState {
  /** The native coroutine running this greenlet; -1 before start and after death. */
  coroutine = -1;
  started = false;
  dead = false;
  run: RunFunction | undefined;
  /** Strong: a child keeps its parent alive, as in Python. */
  parent: Greenlet | null;
  /**
   * The handle, only while this greenlet runs. Whoever resumes a greenlet has
   * its handle (`this` of `switch()`, or a child's `parent`) and puts it here;
   * it is cleared on suspension. A WeakRef would do the same job, but every
   * WeakRef keeps its target alive until the current job ends, which makes a
   * long synchronous run of greenlets grow without bound.
   */
  handle: Greenlet | undefined;
  /** AsyncLocalStorage stores while suspended; at first the creator's. */
  stores: SavedStores;
  /** Top of Node's async-id stack when this greenlet last resumed. */
  asyncMark = 0;
  /** Registered for unwinding: done when it first suspends, never for main. */
  watched = false;
  /**
   * The greenlet that switched to this one, from the switch until this one
   * resumes; also marks a switch under way. Kept here, not in a module
   * variable: a young greenlet's state stored into the (old) module costs a
   * write barrier's slow path on every switch. Its state, not its handle: a
   * frame that suspends must never have loaded its own handle, because
   * optimising compilers (Maglev) can keep a dead copy in the frame, which
   * would keep an abandoned greenlet reachable from its own stack.
   */
  switchedFrom: GreenletState | undefined = undefined;

  /** The name of `run` when it was last set, kept after start for `util.inspect`. */
  name = '';

  constructor(
    readonly isMain: boolean,
    run: RunFunction | undefined,
    parent: Greenlet | null,
  ) {
    this.run = run;
    this.name = run?.name ?? '';
    this.parent = parent;
    this.stores = captureStores();
  }
}

// What travels with a switch. A switch is synchronous and single-threaded, so
// one slot suffices: the resumed side empties it at once.
let pendingValues: unknown[] | undefined;
let pendingError: unknown;
let pendingIsError = false;

let current: GreenletState;
/**
 * Started, not yet dead greenlets, indexed by native coroutine id. The core
 * reuses ids densely, so an array avoids a Map's rehashing garbage.
 */
const running: Array<GreenletState | undefined> = [];

// Module-private access to a greenlet's record, set up by the class below.
let stateOf: (greenlet: Greenlet) => GreenletState;

/**
 * Passed as `run` by {@link adopt} alone: the constructor then takes the
 * record given as `parent` instead of making one. Nothing outside this module
 * can pass it.
 */
const ADOPTION: unique symbol = Symbol('adopt a greenlet record');

const unreachable = new FinalizationRegistry<GreenletState>((state) => unwindUnreachable(state));

/**
 * A micro-thread with its own machine stack. `switch()` suspends the running
 * greenlet wherever it is, however deep in nested calls, and resumes another.
 *
 * @example
 * ```ts
 * const echo = new Greenlet((first) => {
 *   let value = first;
 *   for (;;) value = main.switch(`echo: ${value}`);
 * });
 * const main = getcurrent();
 * echo.switch('a'); // 'echo: a'
 * ```
 */
export class Greenlet {
  #state: GreenletState;

  /**
   * @param run - called with the arguments of the first `switch()`. A subclass
   *   may define a `run()` method instead.
   * @param parent - where the greenlet's result goes when `run` ends. Defaults
   *   to the greenlet that creates it.
   */
  constructor(run?: RunFunction, parent?: Greenlet);
  constructor(run?: RunFunction | typeof ADOPTION, parent?: Greenlet | GreenletState) {
    if (run === ADOPTION) {
      this.#state = parent as GreenletState;
    } else {
      if (run !== undefined && typeof run !== 'function') {
        throw new TypeError(`Greenlet run must be a function, not ${describe(run)}`);
      }
      if (parent !== undefined) checkParent(parent);
      this.#state = new GreenletState(false, run, (parent as Greenlet | undefined) ?? current.handle!);
    }
  }

  /**
   * Suspends the running greenlet and resumes this one. The first switch calls
   * `run(...args)`; later ones make this greenlet's pending `switch()` return
   * `undefined` (no args), the value (one) or an array (several). Returns what
   * is passed back when some greenlet switches to the caller again. A dead
   * greenlet passes the switch on to its nearest live ancestor.
   */
  switch(...args: unknown[]): unknown;
  switch(): unknown {
    // `arguments`, not a rest parameter: a switch without values (a
    // scheduler's) then allocates no empty array. One value, the usual
    // other case, is an array literal, which V8 builds inline.
    /* eslint-disable prefer-rest-params */
    const args =
      arguments.length === 0
        ? undefined
        : arguments.length === 1
          ? [arguments[0]]
          : Array.prototype.slice.call(arguments);
    /* eslint-enable prefer-rest-params */
    // transfer() inlined by hand: this is where greenlets suspend, and every
    // GC walks every frame of every suspended greenlet.
    const self = current;
    const target = prepareSwitch(self, this.#state, this, args, undefined, false);
    if (target === undefined) return deliver(args, undefined, false);
    try {
      core.switchTo(target.coroutine);
    } catch (failure) {
      abandonSwitch(target);
      throw asSwitchError(failure);
    }
    current = self;
    return resume(self);
  }

  /**
   * Throws `error` (by default a new {@link GreenletExit}) in this greenlet
   * where it is suspended. An unstarted greenlet starts with the error, so
   * it dies without running `run`; a dead one stays dead. Either way the
   * error goes to the parent, where a `GreenletExit` is returned as a value
   * and anything else is thrown.
   */
  throw(error?: Error): unknown {
    if (error === undefined) error = exitFromCaller();
    else if (!(error instanceof Error)) {
      throw new TypeError(`greenlet.throw() takes an Error, not ${describe(error)}`);
    }
    const state = this.#state;
    if (state.dead) {
      const ancestor = liveAncestor(state);
      return error instanceof GreenletExit
        ? transfer(stateOf(ancestor), ancestor, [error], undefined, false)
        : transfer(stateOf(ancestor), ancestor, undefined, error, true);
    }
    return transfer(state, this, undefined, error, true);
  }

  /** Where this greenlet's result goes; `null` only for a main greenlet. */
  get parent(): Greenlet | null {
    return this.#state.parent;
  }

  set parent(value: Greenlet) {
    if (this.#state.isMain) {
      throw new GreenletError('a main greenlet has no parent and cannot be given one');
    }
    checkParent(value);
    for (let ancestor: Greenlet | null = value; ancestor !== null; ancestor = ancestor.#state.parent) {
      if (ancestor === this) throw new GreenletError('cyclic parent chain');
    }
    this.#state.parent = value;
  }

  /** The function this greenlet will run; `undefined` once it has started. */
  get run(): RunFunction | undefined {
    const state = this.#state;
    return state.started || state.dead ? undefined : state.run;
  }

  set run(fn: RunFunction | undefined) {
    const state = this.#state;
    if (state.started || state.dead) {
      throw new GreenletError('run cannot be changed once the greenlet has started');
    }
    if (fn !== undefined && typeof fn !== 'function') {
      throw new TypeError(`Greenlet run must be a function, not ${describe(fn)}`);
    }
    state.run = fn;
    state.name = fn?.name ?? '';
  }

  /** True once `run` has ended (or the greenlet was killed before it started). */
  get dead(): boolean {
    return this.#state.dead;
  }

  /** True once the greenlet has been switched to for the first time. */
  get started(): boolean {
    return this.#state.started;
  }

  /** Started and not dead: running now, or suspended in a `switch()`. */
  get active(): boolean {
    const state = this.#state;
    return state.started && !state.dead;
  }

  /** True for the greenlet that runs on the thread's own stack. */
  get isMain(): boolean {
    return this.#state.isMain;
  }

  /**
   * Where this greenlet stands, as the frame lines of an `Error.stack`
   * (`    at fn (file:line:col)`), innermost first: for a suspended greenlet
   * the frame that called `switch()` first and `run` last; for the running
   * one, its current stack. Frames of this library and of V8's builtins
   * (such as `Array.prototype.map` around a callback) are left out, and at
   * most `Error.stackTraceLimit` frames are given, the innermost kept.
   * `null` for a greenlet that has not started or is dead.
   *
   * Runs no JavaScript, fires no trace event and leaves the greenlet
   * suspended exactly as it was: the native core resumes its stack in a
   * capture mode that only walks it and switches straight back.
   */
  captureStack(): string | null {
    const state = this.#state;
    if (!state.started || state.dead || state.coroutine < 0) return null;
    return core.captureStack(state.coroutine, frameLimit());
  }

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    const state = this.#state;
    let status: string;
    if (state === current) status = 'running';
    else if (state.dead) status = 'dead';
    else if (state.started) status = 'suspended';
    else status = 'unstarted';
    const name = state.isMain ? 'main' : state.name;
    const label = name === '' ? 'Greenlet' : `Greenlet (${name})`;
    return `${label} <${options.stylize(status, status === 'dead' ? 'undefined' : 'special')}>`;
  }

  static {
    stateOf = (greenlet) => greenlet.#state;
  }
}

/** A new handle for a record whose handle is gone (or, for main, never was). */
function adopt(state: GreenletState): Greenlet {
  const construct = Greenlet as unknown as new (token: typeof ADOPTION, state: GreenletState) => Greenlet;
  return new construct(ADOPTION, state);
}

/**
 * A GreenletExit whose stack trace starts at the caller of `throw()`. V8
 * keeps each captured frame's receiver and function until the trace is
 * formatted, and the exit stays on the target's stack while its catch and
 * finally blocks run: `throw()`'s own frame (receiver: the greenlet) would
 * keep a greenlet that suspends again there reachable from its own stack,
 * never to be unwound or collected. Capturing again replaces those frames.
 */
function exitFromCaller(): GreenletExit {
  const exit = new GreenletExit();
  Error.captureStackTrace(exit, Greenlet.prototype.throw);
  return exit;
}

/**
 * A GreenletExit with no stack frames, for unwinding by the collector or at
 * exit: the frames there are the unwinding machinery's and whichever
 * greenlet happened to run, which say nothing and could keep it alive. A
 * function that is never on the stack as the capture's end skips every frame.
 */
function exitWithoutFrames(): GreenletExit {
  const exit = new GreenletExit();
  Error.captureStackTrace(exit, neverOnTheStack);
  return exit;
}

function neverOnTheStack(): void {}

/**
 * `Error.stackTraceLimit` as V8 applies it (0 when it is not a number), read
 * without calling a getter someone may have put there.
 */
function frameLimit(): number {
  const limit: unknown = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.value;
  if (typeof limit !== 'number' || !(limit > 0)) return 0;
  return limit >= 0xffffffff ? 0xffffffff : Math.floor(limit);
}

const libraryPrefixes: string[] = [];

/**
 * Leaves the frames of the modules in the directory of `moduleUrl`
 * (a package's `import.meta.url`) out of `captureStack()`. Each stackless
 * package registers its own directory at load.
 */
export function hideFramesOf(moduleUrl: string): void {
  const directory = new URL('./', moduleUrl).href;
  if (libraryPrefixes.includes(directory)) return;
  libraryPrefixes.push(directory);
  core.setLibraryPrefixes(libraryPrefixes);
}

/**
 * Whether some AsyncLocalStorage has a store now, so that a new greenlet has
 * stores of its creator to start with. For the tasklet scheduler, which makes
 * a tasklet's greenlet when it starts instead, while no storage is in use.
 */
export function creatorStoresInUse(): boolean {
  return storagesInUse;
}

/**
 * A new greenlet that starts with no AsyncLocalStorage stores, as one made
 * while none was in use would: for a tasklet made then and started now.
 */
export function greenletWithoutStores(run: RunFunction, parent: Greenlet): Greenlet {
  const greenlet = new Greenlet(run, parent);
  stateOf(greenlet).stores = undefined;
  return greenlet;
}

/** The greenlet that is running now. */
export function getcurrent(): Greenlet {
  return current.handle!;
}

function checkParent(parent: unknown): asserts parent is Greenlet {
  if (!(parent instanceof Greenlet)) {
    throw new TypeError(`a greenlet's parent must be a Greenlet, not ${describe(parent)}`);
  }
}

/** The nearest ancestor of `state` (excluding itself) that is not dead. */
function liveAncestor(state: GreenletState): Greenlet {
  // Only a main greenlet has no parent, and it never dies.
  let ancestor = state.parent!;
  while (stateOf(ancestor).dead) ancestor = stateOf(ancestor).parent!;
  return ancestor;
}

/** Switches from the running greenlet to `target`; `Greenlet#switch` inlines this. */
function transfer(
  target: GreenletState,
  targetHandle: Greenlet,
  values: unknown[] | undefined,
  error: unknown,
  isError: boolean,
): unknown {
  const self = current;
  const resolved = prepareSwitch(self, target, targetHandle, values, error, isError);
  if (resolved === undefined) return deliver(values, error, isError);
  try {
    core.switchTo(resolved.coroutine);
  } catch (failure) {
    abandonSwitch(resolved);
    throw asSwitchError(failure);
  }
  current = self;
  return resume(self);
}

/**
 * Everything a switch does before the stack changes: a dead target passes the
 * switch to its nearest live ancestor, an unstarted one gets its stack, and
 * the values go into the transfer slot. Returns the greenlet to switch to, or
 * `undefined` when that is the running one (then nothing was sent).
 */
function prepareSwitch(
  self: GreenletState,
  target: GreenletState,
  targetHandle: Greenlet,
  values: unknown[] | undefined,
  error: unknown,
  isError: boolean,
): GreenletState | undefined {
  if (target.dead) {
    targetHandle = liveAncestor(target);
    target = stateOf(targetHandle);
  }
  if (target === self) {
    // Python greenlet traces a switch to the running greenlet too.
    trace(isError ? 'throw' : 'switch', self.handle!, self.handle!);
    return undefined;
  }
  if (!self.isMain) checkNoOpenAsyncScope(self.asyncMark);
  if (!target.started) begin(target);
  self.stores = storagesInUse ? captureStores() : undefined;
  send(self, target, targetHandle, values, error, isError);
  return target;
}

/** A switch that never happened (V8 had an error pending) leaves all as it was. */
function abandonSwitch(target: GreenletState): void {
  if (target.switchedFrom === undefined) return;
  target.handle = undefined;
  target.switchedFrom = undefined;
  pendingValues = undefined;
  pendingError = undefined;
  pendingIsError = false;
}

/** A switch the core refused for a greenlet rule is a GreenletError. */
function asSwitchError(failure: unknown): unknown {
  if (failure instanceof Error && (failure as { code?: unknown }).code === 'ERR_GREENLET_SWITCH_IN_JOIN') {
    return new GreenletError(failure.message);
  }
  return failure;
}

/** Gives an unstarted greenlet a native coroutine; it runs at the next switch. */
function begin(state: GreenletState): void {
  let id: number;
  try {
    id = core.create();
  } catch (failure) {
    throw asStackAllocationError(failure);
  }
  state.coroutine = id;
  state.started = true;
  running[id] = state;
}

/** The core reports a stack it could not map as an Error with a `code`. */
function asStackAllocationError(failure: unknown): unknown {
  if (!(failure instanceof Error)) return failure;
  const code = (failure as { code?: unknown }).code;
  if (typeof code !== 'string') return failure;
  if (code === 'ERR_GREENLET_SWITCH_IN_JOIN') return asSwitchError(failure);
  return new StackAllocationError(failure.message, code);
}

/**
 * Runs in a greenlet that has just been switched to: takes what was sent,
 * traces the switch, then throws the error or returns the values, packed for
 * a pending `switch()` or, for a start, as the argument list.
 */
function resume(self: GreenletState, asArguments = false): unknown {
  enterAsyncContext(self);
  const values = pendingValues;
  const error = pendingError;
  const isError = pendingIsError;
  const origin = self.switchedFrom;
  pendingValues = undefined;
  pendingError = undefined;
  pendingIsError = false;
  self.switchedFrom = undefined;
  if (origin !== undefined) {
    const originHandle = suspend(origin);
    trace(isError ? 'throw' : 'switch', originHandle, self.handle!);
  }
  if (asArguments && !isError) return values ?? [];
  return deliver(values, error, isError);
}

function enterAsyncContext(self: GreenletState): void {
  if (storagesInUse) restoreStores(self.stores);
  self.stores = undefined;
  self.asyncMark = asyncScopeMark();
}

function deliver(values: unknown[] | undefined, error: unknown, isError: boolean): unknown {
  if (isError) throw error;
  if (values === undefined || values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}

function trace(event: TraceEvent, origin: Greenlet, target: Greenlet): void {
  const tracer = currentTracer();
  if (tracer === null) return;
  try {
    tracer(event, origin, target);
  } catch (error) {
    replaceTracer(null);
    throw error;
  }
}

/**
 * The bottom of every greenlet's stack, called by the native core. Runs the
 * greenlet, then hands its result (or error) to the nearest live ancestor and
 * returns that ancestor's coroutine id for the core to switch to. Never throws.
 */
function enter(coroutine: number): number {
  const self = running[coroutine]!;
  current = self;
  let values: unknown[] | undefined;
  let error: unknown;
  let isError = false;
  try {
    // callRun() inlined by hand: one frame fewer under every greenlet for the
    // GC to walk. `run` is let go first: a start by throw() never calls it.
    const run = self.run;
    self.run = undefined;
    const args = resume(self, true) as unknown[];
    values = [run !== undefined ? run(...args) : callRunMethod(self, args)];
  } catch (caught) {
    if (caught instanceof GreenletExit) {
      values = [caught];
    } else {
      error = caught;
      isError = true;
    }
  }
  self.dead = true;
  self.coroutine = -1;
  running[coroutine] = undefined;
  if (self.watched) unreachable.unregister(self);
  let targetHandle = liveAncestor(self);
  let target = stateOf(targetHandle);
  if (!target.started) {
    try {
      begin(target);
    } catch (failure) {
      targetHandle = mainGreenlet;
      target = stateOf(mainGreenlet);
      values = undefined;
      error = failure;
      isError = true;
    }
  }
  send(self, target, targetHandle, values, error, isError);
  return target.coroutine;
}

/** Fills the transfer slot; `target` runs under `targetHandle` from now on. */
function send(
  self: GreenletState,
  target: GreenletState,
  targetHandle: Greenlet,
  values: unknown[] | undefined,
  error: unknown,
  isError: boolean,
): void {
  // No values is the common case: keeping the empty rest array out of the
  // module's slot spares a write barrier and lets the array be optimised away.
  pendingValues = values === undefined || values.length === 0 ? undefined : values;
  pendingError = error;
  pendingIsError = isError;
  target.switchedFrom = self;
  target.handle = targetHandle;
}

/**
 * Run by the greenlet that was switched to, for the one that switched away:
 * its handle is dropped from its state (it no longer runs), and a greenlet
 * that suspends alive is watched for becoming unreachable.
 */
function suspend(origin: GreenletState): Greenlet {
  const handle = origin.handle!;
  origin.handle = undefined;
  if (!origin.dead && !origin.isMain && !origin.watched) {
    origin.watched = true;
    unreachable.register(handle, origin, origin);
  }
  return handle;
}

/** A subclass's `run()` method: called on the greenlet, which it then keeps alive. */
function callRunMethod(state: GreenletState, args: unknown[]): unknown {
  const greenlet = state.handle as Greenlet & { run?: unknown };
  const method = greenlet.run;
  if (typeof method !== 'function') {
    throw new GreenletError('greenlet has no run function: pass one to the constructor or set g.run');
  }
  return method.apply(greenlet, args);
}

/**
 * A suspended greenlet nobody can switch to any more: throw GreenletExit into
 * it so its finally blocks run. As in Python, the exit comes back to the
 * greenlet doing the unwinding, not to the old parent.
 */
function unwindUnreachable(state: GreenletState): void {
  if (state.dead || !state.started || state === current) return;
  unwind(state);
}

/** Throws GreenletExit into a suspended greenlet; the exit comes back to the caller. */
function unwind(state: GreenletState): void {
  // Its handle is not at hand (a suspended greenlet's state does not hold
  // it): code in its finally blocks gets a new one.
  const greenlet = adopt(state);
  state.watched = false;
  state.parent = current.handle!;
  greenlet.throw(exitWithoutFrames());
}

/**
 * When the thread ends (the process exits, or a worker finishes), greenlets
 * still suspended are unwound, so that their finally blocks run, as Python
 * does at shutdown. Errors thrown while unwinding are rethrown afterwards.
 */
function unwindAllAtExit(): void {
  const failures: unknown[] = [];
  // A few passes: finally blocks may start or park other greenlets.
  for (let pass = 0; pass < 3; pass++) {
    const suspended = running.filter((state): state is GreenletState => state !== undefined && state !== current);
    if (suspended.length === 0) break;
    for (const state of suspended) {
      if (state.dead || state === current) continue;
      try {
        unwind(state);
      } catch (error) {
        failures.push(error);
      }
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, 'errors while unwinding greenlets at exit');
}

function poll(): void {}

/**
 * Lets the core find V8's join stack (native/src/join_stack.h), so that it
 * can refuse a switch from inside Array.prototype.join: the stack is shared
 * by all greenlets and would keep the suspended join's array. The core looks
 * from inside a nested join of two known arrays, then checks it is empty.
 */
function verifyJoinStack(): void {
  const inner: unknown[] = [];
  const outer = [inner];
  inner.push({
    toString(): string {
      core.locateJoinStack(outer, inner);
      return '';
    },
  });
  outer.join();
  core.confirmJoinStack();
}

/** This thread's main greenlet, set by {@link startThread}: the module keeps it alive. */
let mainGreenlet: Greenlet;

/**
 * Sets this thread's greenlets up, once, when the package loads (a worker
 * thread loads its own copy): thread.ts calls it, and every entry point
 * imports thread.ts first. In this order: the core gets its callbacks and
 * stack settings before the main greenlet is made.
 */
export function startThread(): void {
  // Storages given a store from now on are known to the switch.
  watchAsyncLocalStorages();
  // V8 treats a field that has not been written since construction as a
  // constant, and optimised code relies on it; the first write deoptimises
  // that code, lazily, in every frame running it: each suspended greenlet's
  // switch() frame deoptimises when it resumes. `dead` is first written when
  // the first greenlet ends, perhaps with thousands suspended: make it
  // mutable now.
  new GreenletState(false, undefined, null).dead = true;
  // Stack size and guard before the first stack is allocated.
  configureFromSettings(settings);
  hideFramesOf(import.meta.url);
  // The core calls enter() to start every greenlet.
  core.setCallbacks(enter, poll);
  verifyJoinStack();
  // The thread's own stack is the main greenlet, started and never ending.
  current = new GreenletState(true, undefined, null);
  current.started = true;
  current.coroutine = core.current();
  mainGreenlet = adopt(current);
  current.handle = mainGreenlet;
  // Suspended greenlets' finally blocks run when the thread ends.
  process.once('exit', unwindAllAtExit);
}
