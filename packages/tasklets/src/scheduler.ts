// The round-robin scheduler: the run queue, the one place where tasklets
// switch, blocking and waking, and the pump that lets Node's event loop run
// tasklets it has woken.
import { Greenlet, GreenletExit, getcurrent as currentGreenlet } from '@stackless/greenlet';
import { blockingReportPending, greenletWithoutStores } from '@stackless/greenlet/internal';

import { DeadlockError, SchedulerError, TaskletExit } from './errors.js';
import { type TaskletEvents, events, log, logDebug, logTrace } from './observe.js';
import { type Queued, RunQueue } from './run-queue.js';
import type { Tasklet } from './tasklet.js';

/** Why a tasklet is blocked, and how to take it out of whatever it waits in. */
export interface Blocker {
  /** The operation, in words: `receive on Channel#3`, `sleep(50)`. */
  readonly reason: string;
  /**
   * The tasklet's state while blocked here, in words, for `util.inspect` and
   * `dumpTasklets()`; by default `blocked on <reason>`.
   */
  readonly state?: string;
  /** Only the event loop can wake it (a timer, a promise): main may not wait for it. */
  readonly needsEventLoop?: boolean;
  /** Called when the tasklet is woken by something else (kill, throw). */
  cancel(): void;
}

/**
 * The innermost structured-concurrency scope a tasklet runs in (scope.ts):
 * asked before the tasklet blocks, so that a cancelled scope can refuse.
 */
export interface TaskletScope {
  /** Throws (TaskletExit) instead of letting `core` block, when its scope is cancelled. */
  beforeBlock(core: TaskletCore, blocker: Blocker): void;
}

/**
 * What the scheduler calls in the modules above it, which import the
 * scheduler and so cannot be imported by it; thread.ts passes them to
 * {@link startScheduler}.
 */
export interface SchedulerHooks {
  /**
   * Told when a tasklet ends (join.ts): `failure` is what escaped its
   * function (undefined if it returned `value`). Returns true if it
   * delivered the failure (to a joiner, a scope), which is then not
   * reported as uncaught.
   */
  readonly taskletEnded: (core: TaskletCore, failure: unknown, value: unknown) => boolean;
  /** The report of every live tasklet that a DeadlockError carries (dump.ts). */
  readonly describeTasklets: (blocking?: { core: TaskletCore; blocker: Blocker }) => string;
  /** Delivers the watchdog's pending report, for `core`, the tasklet yielding now (watchdog.ts). */
  readonly reportBlocking: (core: TaskletCore) => void;
}

/** Called before every switch between tasklets (Stackless' schedule callback). */
export type ScheduleCallback = (previous: Tasklet, next: Tasklet) => void;

/** Where a sleeping tasklet's blocker keeps its deadline (performance.now() time), for dumps. */
export const wakesAt = Symbol('wakesAt');

/** Ids of this thread's tasklets: main's is 0, and none is given twice. */
let lastId = 0;

/** This thread's live tasklets: main, the started ones, the runnable ones yet to start; by id. */
export function liveCores(): TaskletCore[] {
  const cores = new Set<TaskletCore>([main]);
  // `started` holds strong references, which add nothing: a started tasklet
  // that is not running is suspended in switchTo(), whose frame holds its
  // record, and every suspended stack is a root for the collector, so it is
  // alive until it ends anyway (and then leaves the set). Tasklets that have
  // not started are found in the run queue; a paused one that never started
  // is held by nobody but its user, and is not listed.
  for (const core of started) cores.add(core);
  let item = queue.head;
  for (let left = queue.size; item !== undefined && left > 0; left--) {
    cores.add(item);
    item = item.queueNext as TaskletCore | undefined;
  }
  return [...cores].filter((core) => !core.dead).sort((a, b) => a.id - b.id);
}

/** Everything the scheduler keeps about one tasklet. */
export class TaskletCore implements Queued {
  queuePrev: Queued | undefined;
  queueNext: Queued | undefined;
  queued = false;
  fn: ((...args: any[]) => unknown) | undefined;
  args: unknown[] | undefined;
  greenlet: Greenlet | undefined;
  /** Bound while no AsyncLocalStorage was in use: the greenlet is made at the start. */
  greenletDeferred = false;
  started = false;
  dead = false;
  blocker: Blocker | undefined;
  tempval: unknown;
  /** Thrown at the tasklet's suspension point when it next runs. */
  wakeError: unknown;
  hasWakeError = false;
  /**
   * Its tempval is an error it will throw when it runs (a channel's sendThrow
   * or close delivered it): like a wake error, a cancellation must not replace it.
   */
  deliveredError = false;
  /** Set by scope.ts while the tasklet runs in a scope. */
  scope: TaskletScope | undefined = undefined;

  readonly id: number;
  /** Set by the user (`t.name = ...`); else the name comes from the function. */
  givenName: string | undefined = undefined;
  /** The name of the function last bound, kept after it is let go at the end. */
  fnName = '';

  constructor(
    readonly tasklet: Tasklet,
    readonly isMain: boolean,
  ) {
    this.id = isMain ? 0 : ++lastId;
  }

  get name(): string {
    if (this.givenName !== undefined) return this.givenName;
    if (this.isMain) return 'main';
    return this.fnName !== '' ? this.fnName : `tasklet-${this.id}`;
  }

  get alive(): boolean {
    return !this.dead && (this.started || this.args !== undefined);
  }

  /**
   * What it gets as it resumes: its wake error thrown, else its tempval. A
   * method, so that optimised code inlines it into every switch (see
   * "Calls on the hot path" in docs/switch-cost.md).
   */
  takeResumption(): unknown {
    this.deliveredError = false;
    if (this.hasWakeError) throw takeWakeError(this);
    const value = this.tempval;
    this.tempval = undefined;
    return value;
  }
}

const queue = new RunQueue<TaskletCore>();
/** Tasklets that have started and not ended, main aside, in the order they started. */
const started = new Set<TaskletCore>();
let main: TaskletCore;
let current: TaskletCore;
let scheduleCallback: ScheduleCallback | null = null;
let hooks: SchedulerHooks;

/** Installs the thread's main tasklet and the hooks, once (thread.ts): nothing here works before. */
export function startScheduler(mainTasklet: TaskletCore, installed: SchedulerHooks): void {
  hooks = installed;
  main = current = mainTasklet;
  mainTasklet.started = true;
  mainTasklet.greenlet = currentGreenlet();
  queue.append(mainTasklet);
}

export function currentCore(): TaskletCore {
  return current;
}

/** The running tasklet: getcurrent() in one call, for the packages above (channels). */
export function currentTasklet(): Tasklet {
  return current.tasklet;
}

export function mainCore(): TaskletCore {
  return main;
}

/** The tasklets, other than main, that have started and not ended yet. */
export function startedTasklets(): TaskletCore[] {
  return [...started];
}

export function runCount(): number {
  return queue.size;
}

export function setScheduleCallback(callback: ScheduleCallback | null): ScheduleCallback | null {
  if (callback !== null && typeof callback !== 'function') {
    throw new TypeError('setScheduleCallback() takes a function or null');
  }
  const previous = scheduleCallback;
  scheduleCallback = callback;
  return previous;
}

export function getScheduleCallback(): ScheduleCallback | null {
  return scheduleCallback;
}

/** Puts a tasklet in the run queue: at the tail, or as the head (see RunQueue#makeHead). */
export function enqueue(core: TaskletCore, asHead = false): void {
  const wasQueued = core.queued;
  if (asHead) queue.makeHead(core);
  else if (!wasQueued) queue.append(core);
  if (!wasQueued) {
    if (logDebug) log.debug({ tasklet: label(core) }, 'scheduled');
    if (events.listening) emitDuringOperation('scheduled', core.tasklet);
    armPump();
  }
}

export function dequeue(core: TaskletCore): void {
  queue.remove(core);
}

/**
 * The current tasklet, when the code calling a scheduler operation runs on
 * its greenlet. Code on a greenlet of its own (a plain Greenlet, a deep
 * generator's body) is refused: the scheduler would resume the tasklet's
 * greenlet, not that one, which would stay suspended for good.
 */
function caller(operation: string): TaskletCore {
  const self = current;
  if (self.greenlet !== currentGreenlet()) {
    throw new SchedulerError(
      `${operation} was called on a greenlet that is not a tasklet's own (a Greenlet or a generator's body ` +
        `started by ${label(self)}), and only a tasklet's own greenlet can be suspended by the scheduler. ` +
        'Run that code in a tasklet of its own, or switch back to the tasklet first.',
    );
  }
  return self;
}

/**
 * Suspends the current tasklet and runs `target`. Returns, with the
 * tasklet's tempval, when some tasklet switches back; throws there if an
 * error was sent (kill, throw, a deadlock, an error raised in main).
 */
export function switchTo(target: TaskletCore): unknown {
  const self = current;
  if (target !== self) {
    // The watchdog saw this tasklet run too long: it yields now.
    if (blockingReportPending[0] !== 0) hooks.reportBlocking(self);
    if (scheduleCallback !== null) callScheduleCallback(self, target);
    if (logTrace) log.trace({ from: label(self), to: label(target) }, 'switch');
    current = target;
    // A tasklet's greenlet takes its arguments from its record (runTasklet),
    // so starting it and resuming it are the same switch.
    if (!target.started) markStarted(target);
    try {
      target.greenlet!.switch();
    } catch (error) {
      return resumedByError(self, error);
    }
    // Whoever resumed this tasklet has set it current, as a rule: comparing
    // spares the store's write barrier (slow while the tasklet is young).
    if (current !== self) current = self;
  }
  return self.takeResumption();
}

/**
 * An error from the greenlet layer reached a tasklet's switch. A tracer
 * (settrace) that throws has its error thrown in the greenlet resuming: here
 * that is a tasklet in the middle of an operation (a receive holding its
 * value), which must complete, so the error is rethrown on the next tick
 * instead; or a tasklet that was starting, which then dies with the error
 * before running, as a greenlet would, and whose death resumed its parent
 * (this tasklet) out of turn. A GreenletExit is the greenlet layer unwinding
 * this tasklet (what is left of it at the thread's end): it goes on up.
 */
function resumedByError(self: TaskletCore, error: unknown): unknown {
  if (error instanceof GreenletExit) {
    current = self;
    throw error;
  }
  let bornDead: TaskletCore | undefined;
  for (const core of started) {
    if (!core.dead && core.greenlet!.dead) {
      bornDead = core;
      finish(core, error, undefined);
    }
  }
  if (bornDead === undefined) rethrowLater(error);
  else if (current !== self) {
    const next = nextAfterEnd(bornDead);
    if (next !== self) {
      current = self;
      return switchTo(next);
    }
  }
  current = self;
  return self.takeResumption();
}

function takeWakeError(core: TaskletCore): unknown {
  const error = core.wakeError;
  core.wakeError = undefined;
  core.hasWakeError = false;
  return error;
}

/** Round-robin: the current tasklet goes to the back; the next one runs. */
export function schedule(value: unknown): unknown {
  const self = caller('schedule()');
  self.tempval = value;
  if (self.queued && queue.head === self) queue.rotate();
  const next = sliceEnded() ? runner!.core : queue.head ?? self;
  return switchTo(next);
}

/** Like schedule(), but the current tasklet leaves the run queue (paused). */
export function scheduleRemove(value: unknown): unknown {
  const self = caller('scheduleRemove()');
  self.tempval = value;
  queue.remove(self);
  const next = nextAfterLeaving(self);
  if (next === undefined) {
    queue.append(self);
    throw new DeadlockError(
      `scheduleRemove(): no other tasklet is runnable, so nothing could resume this one${blockedList()}`,
      hooks.describeTasklets(),
    );
  }
  return switchTo(next);
}

/**
 * Blocks the current tasklet until `wake()`; returns the value it is woken
 * with or throws the error. Used by sleep(), wait() and channels.
 */
export function block(blocker: Blocker): unknown {
  const self = caller(blocker.reason);
  // Every blocking operation is a cancellation point of the caller's scope.
  if (self.scope !== undefined) self.scope.beforeBlock(self, blocker);
  if (self.isMain && blocker.needsEventLoop) {
    throw new SchedulerError(
      `${blocker.reason} would block the main tasklet, which runs Node's event loop, ` +
        'so nothing could ever wake it. Call it from a tasklet: tasklet(fn)(...args).',
    );
  }
  queue.remove(self);
  const next = nextAfterLeaving(self);
  if (next === undefined) {
    queue.makeHead(self);
    throw new DeadlockError(deadlockMessage(self, blocker), hooks.describeTasklets({ core: self, blocker }));
  }
  self.blocker = blocker;
  if (logDebug) log.debug({ tasklet: label(self), reason: blocker.reason }, 'blocked');
  if (events.listening) emitDuringOperation('blocked', self.tasklet, blocker.reason);
  return switchTo(next);
}

/** Makes a blocked tasklet runnable again, with a value or an error to receive. */
export function wake(core: TaskletCore, value: unknown, error?: { error: unknown }): void {
  core.blocker = undefined;
  core.tempval = value;
  if (error !== undefined) {
    core.wakeError = error.error;
    core.hasWakeError = true;
  }
  enqueue(core);
}

/**
 * Runs `target` now (Stackless' `tasklet.run()`): it becomes the head of the
 * run queue (RunQueue#makeHead) and the caller stays runnable; with
 * `pauseCaller` (`tasklet.switch()`) the caller leaves the queue.
 */
export function runNow(target: TaskletCore, pauseCaller: boolean): void {
  const self = caller(pauseCaller ? 'switch()' : 'run()');
  if (target === self) return;
  enqueue(target, true);
  if (pauseCaller) queue.remove(self);
  switchTo(target);
}

/**
 * Runs a runnable `target` now, and the caller after every tasklet that is
 * runnable already: what a channel does for its preferred side (Stackless'
 * `generic_channel_action` puts the target right after the caller and
 * switches to it).
 */
export function handOff(target: TaskletCore): void {
  const self = current;
  // The caller's greenlet is not the tasklet's own, so it cannot be
  // suspended (see caller()): the target, woken already, just stays runnable.
  if (target === self || self.greenlet !== currentGreenlet()) return;
  queue.remove(target);
  if (self.queued && queue.head === self) queue.rotate();
  queue.makeHead(target);
  switchTo(target);
}

/**
 * Raises `error` in `target` at once: it runs now, ahead of the caller, which
 * stays runnable (RunQueue#makeHead says where).
 */
export function raiseIn(target: TaskletCore, error: unknown): void {
  if (target === current) throw error;
  const self = caller(error instanceof TaskletExit ? 'kill()' : 'throw()');
  if (!target.started) {
    // Never ran: it dies without running, as if its function had thrown the
    // error at once. A failure nobody took goes to main now, as it would
    // have; one delivered to a joiner (main too) waits for the joiner's turn.
    if (finish(target, error, undefined)) {
      if (self === main) throw takeWakeError(main);
      switchTo(main);
    }
    return;
  }
  target.blocker?.cancel();
  target.blocker = undefined;
  target.wakeError = error;
  target.hasWakeError = true;
  enqueue(target, true);
  switchTo(target);
}

/**
 * Raises `error` in `target` without switching to it, so it can be called
 * from anywhere (a timer, a tasklet's end): one that never started dies
 * without running; a blocked one is taken out of what it waits in; either
 * way it is runnable, and throws `error` where it is suspended when it runs.
 * The current tasklet is left alone (it is not suspended anywhere).
 */
export function interrupt(target: TaskletCore, error: unknown): void {
  if (target.dead || target === current) return;
  if (!target.started) {
    finish(target, error, undefined);
    return;
  }
  target.blocker?.cancel();
  target.blocker = undefined;
  target.wakeError = error;
  target.hasWakeError = true;
  enqueue(target);
}

/**
 * The tasklet waiting in run() (main, usually) while the others run. As in
 * Stackless, it leaves the run queue meanwhile: tasklets then hand control to
 * each other directly, and it resumes only when none is runnable, when its
 * time slice is over, or when something runs it (an error raised in main).
 */
interface Runner {
  readonly core: TaskletCore;
  readonly deadline: number;
  readonly outer: Runner | undefined;
}

let runner: Runner | undefined;

/** Whether `core` waits in run() (out of the run queue) while the others run. */
export function waitingInRun(core: TaskletCore): boolean {
  for (let r = runner; r !== undefined; r = r.outer) if (r.core === core) return true;
  return false;
}
let switchesSinceClockCheck = 0;
/** Reading the clock costs about as much as a switch: check it every so often. */
const CLOCK_CHECK_INTERVAL = 64;

/** Runs the queue until no tasklet but the caller is runnable (or the deadline). */
export function runUntilIdle(deadline = Infinity): void {
  const self = caller('run()');
  runner = { core: self, deadline, outer: runner };
  try {
    while (queue.size > (self.queued ? 1 : 0) && performance.now() < deadline) {
      queue.remove(self);
      switchTo(queue.head!);
    }
  } finally {
    runner = runner.outer;
    if (!self.queued) queue.makeHead(self);
  }
}

/** Whether the tasklet waiting in run() must take over: its time slice is over. */
function sliceEnded(): boolean {
  if (runner === undefined || runner.deadline === Infinity) return false;
  if (++switchesSinceClockCheck < CLOCK_CHECK_INTERVAL) return false;
  switchesSinceClockCheck = 0;
  return performance.now() >= runner.deadline && runner.core !== current;
}

/**
 * Who runs when `self` leaves the run queue: the next runnable, else the
 * tasklet waiting in run(), else a main that paused itself (scheduleRemove(),
 * switch()), which Stackless revives rather than let the last tasklet
 * deadlock (schedule_task_block); it is runnable again.
 */
function nextAfterLeaving(self: TaskletCore): TaskletCore | undefined {
  const waiting = runner?.core;
  if (waiting !== undefined && waiting !== self) {
    if (queue.head === undefined || sliceEnded()) return waiting;
    return queue.head;
  }
  if (queue.head !== undefined) return queue.head;
  if (main !== self && !main.queued && main.blocker === undefined) {
    queue.makeHead(main);
    return main;
  }
  return undefined;
}

/**
 * The bottom of every tasklet's greenlet. It reads the function and its
 * arguments from the record, never from the switch that starts it: a
 * tasklet that ends starts the next one by returning to it (below), and that
 * return value is no argument of anybody's.
 */
export function runTasklet(core: TaskletCore): void {
  const fn = core.fn!;
  const args = core.args ?? [];
  core.args = undefined;
  let failure: unknown;
  let value: unknown;
  try {
    // Called as a plain function: `this` is undefined, not the record.
    value = fn(...args);
  } catch (error) {
    failure = error;
  }
  finish(core, failure, value);
  if (blockingReportPending[0] !== 0) hooks.reportBlocking(core);
  const next = nextAfterEnd(core);
  if (!next.started) markStarted(next);
  // Returning ends this greenlet and resumes its parent: the next tasklet.
  core.greenlet!.parent = next.greenlet!;
  current = next;
  if (next !== core && scheduleCallback !== null) callScheduleCallback(core, next);
}

function markStarted(core: TaskletCore): void {
  if (core.greenlet === undefined) core.greenlet = greenletWithoutStores(() => runTasklet(core), main.greenlet!);
  core.started = true;
  started.add(core);
}

/** Marks a tasklet dead and reports how it ended. Returns whether its failure was raised in main. */
function finish(core: TaskletCore, failure: unknown, value: unknown): boolean {
  const name = logDebug ? label(core) : '';
  core.dead = true;
  core.fn = undefined;
  core.args = undefined;
  started.delete(core);
  queue.remove(core);
  const failed = failure !== undefined && !(failure instanceof TaskletExit) && !(failure instanceof GreenletExit);
  // A joiner or a scope that takes the failure is its one delivery.
  const delivered = hooks.taskletEnded(core, failure, value) && failed;
  if (failed) {
    if (logDebug) log.debug({ tasklet: name, error: String(failure) }, 'failed');
    emitReporting('failed', core.tasklet, failure);
    if (delivered) return false;
    if (events.listenerCount('error') > 0) emitReporting('error', failure, core.tasklet);
    else {
      raiseInMain(failure);
      return true;
    }
  } else {
    if (logDebug) log.debug({ tasklet: name }, 'finished');
    if (events.listening) emitReporting('finished', core.tasklet);
  }
  return false;
}

/**
 * A user's schedule callback or event listener runs in the middle of a
 * scheduler operation (a switch, a channel transfer), which must not be cut
 * short: what it throws is rethrown on the next tick, as an uncaught
 * exception, the way diagnostics_channel treats its subscribers' errors.
 * (Stackless prints a failing schedule callback's error and goes on.)
 */
function rethrowLater(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}

function callScheduleCallback(previous: TaskletCore, next: TaskletCore): void {
  try {
    scheduleCallback!(previous.tasklet, next.tasklet);
  } catch (error) {
    rethrowLater(error);
  }
}

export function emitDuringOperation<E extends 'created' | 'scheduled' | 'blocked'>(event: E, ...args: TaskletEvents[E]): void {
  try {
    (events.emit as (event: E, ...args: TaskletEvents[E]) => boolean)(event, ...args);
  } catch (error) {
    rethrowLater(error);
  }
}

/**
 * Emits an event about a tasklet that has ended. A listener that throws has
 * no tasklet to throw in: its error is raised in main, like an uncaught one.
 */
function emitReporting<E extends 'finished' | 'failed' | 'error'>(event: E, ...args: TaskletEvents[E]): void {
  try {
    (events.emit as (event: E, ...args: TaskletEvents[E]) => boolean)(event, ...args);
  } catch (error) {
    raiseInMain(error);
  }
}

/** Who runs when `core` has ended: the next runnable, else main. */
function nextAfterEnd(core: TaskletCore): TaskletCore {
  const next = nextAfterLeaving(core);
  if (next !== undefined) return next;
  // Nothing else is runnable: main runs, and is runnable again (Stackless
  // inserts the tasklet it switches to), whether it was paused or blocked.
  queue.makeHead(main);
  if (main.blocker !== undefined && !main.hasWakeError) {
    // The last runnable tasklet is gone and main waits for something only a
    // tasklet could do.
    const reason = main.blocker.reason;
    const message = `the main tasklet is blocked on ${reason} and no tasklet is left that could wake it${blockedList()}`;
    const report = hooks.describeTasklets();
    main.blocker.cancel();
    main.blocker = undefined;
    main.wakeError = new DeadlockError(message, report);
    main.hasWakeError = true;
  }
  return main;
}

/**
 * An error no tasklet caught goes to main, as in Stackless: main runs next
 * and the error is thrown where it is suspended (from run(), schedule(), a
 * channel operation, or the event-loop pump, where it becomes an uncaught
 * exception).
 */
export function raiseInMain(error: unknown): void {
  if (main.hasWakeError) {
    error = new AggregateError([main.wakeError, error], 'several tasklets failed');
  }
  main.wakeError = error;
  main.hasWakeError = true;
  main.blocker?.cancel();
  main.blocker = undefined;
  if (current !== main) enqueue(main, true);
}

function deadlockMessage(self: TaskletCore, blocker: Blocker): string {
  const who = self.isMain ? 'the main tasklet' : `tasklet ${label(self)}`;
  return (
    `${who} cannot block on ${blocker.reason}: no other tasklet is runnable, so nothing could wake it` +
    (main.blocker !== undefined && !self.isMain
      ? ` (main is blocked on ${main.blocker.reason}; while main is blocked, tasklets waiting for timers or promises cannot run either)`
      : '') +
    blockedList()
  );
}

/**
 * The blocked tasklets, for a deadlock's message, as Go's "all goroutines
 * are asleep" is followed by them: `; blocked: #0 main (receive on
 * Channel#1), #2 worker (send on Channel#2)`. The first 10; the report has all.
 */
function blockedList(): string {
  const blocked = liveCores().filter((core) => core.blocker !== undefined);
  if (blocked.length === 0) return '';
  const named = blocked.slice(0, 10).map((core) => `${label(core)} (${core.blocker!.reason})`);
  const more = blocked.length > 10 ? `, and ${blocked.length - 10} more (see the error's report)` : '';
  return `; blocked: ${named.join(', ')}${more}`;
}

let pumpArmed = false;

/**
 * Tasklets made runnable outside any scheduler call (by a timer, a promise,
 * a setup()) run from the event loop, in slices so that I/O and timers keep
 * their turn.
 */
function armPump(): void {
  if (pumpArmed) return;
  pumpArmed = true;
  setImmediate(pump);
}

const PUMP_SLICE_MS = 10;

function pump(): void {
  pumpArmed = false;
  if (current !== main) return; // some scheduler call is already running tasklets
  try {
    runUntilIdle(performance.now() + PUMP_SLICE_MS);
  } finally {
    if (queue.size > (main.queued ? 1 : 0)) armPump();
  }
}

/** How log lines name a tasklet: its id and its name. */
export function label(core: TaskletCore): string {
  return `#${core.id} ${core.name}`;
}
