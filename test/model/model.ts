// The reference model: interprets a Program one op at a time, with no
// greenlets, and returns the trace the real packages must produce.
//
// Rules are Stackless' (Stackless/module/*.c) where Stackless has them, and
// Go's (with docs/channels.md) for what Stackless lacks: buffers, closing
// that wakes receivers, select. Each rule names its source.
import { ModelChannel, type Item, type Waiter, takeOff } from './channel.js';
import { type CreateMode, type Op, type Program, type TaskletRef, describeOp, propagates, resultValue, scopeEndOf, sentValue } from './program.js';
import { Ring } from './run-queue.js';
import { type Cancellation, ModelScope } from './scope.js';
import { ModelEvent, ModelLock, ModelSemaphore } from './sync.js';
import { ModelTasklet } from './tasklet.js';
import { WaitQueue } from './wait-queue.js';
import {
  ABSENT,
  OK,
  type Outcome,
  beginLine,
  bodyFinallyLine,
  channelLine,
  finallyLine,
  endLine,
  returnedNumber,
  returnedTasklet,
  returnedValue,
  selected,
  startLine,
  taskletLine,
  threw,
} from './trace.js';
import { mainOps } from './main-ops.js';
import type { Quirk } from './quirks.js';

/**
 * Which ready case a select() that did not block takes. Go picks one at
 * random; the model takes the one the real run took (if it was ready), so
 * the traces can be compared: the oracle gives the real select's outcome
 * (`ok {index:1,...}`, `threw ChannelClosedError`, `threw SentError(T1.0)`),
 * or undefined if it never returned.
 */
export type SelectOracle = (who: string, pc: number) => Outcome | undefined;

/** What a receive of a value sent with sendThrow() throws: the SentError, which names the value. */
function sentError(item: Item): Outcome {
  return threw(`SentError(${item.value})`);
}

/** An op that suspended its tasklet: the outcome comes later, through `pending`. */
const SUSPENDED = Symbol('suspended');
type Step = Outcome | typeof SUSPENDED;

const TASKLET_EXIT = threw('TaskletExit');
const DEADLOCK = threw('DeadlockError');
const ACQUIRED = 'ok true';

/** The name inside `threw Name`, for `failed` lines and AggregateError lists. */
function errorName(outcome: Outcome): string {
  return outcome.slice('threw '.length);
}
const MAX_STEPS = 100_000;

export function runModel(program: Program, oracle: SelectOracle = () => undefined, accepted: ReadonlySet<Quirk> = new Set()): string[] {
  return new Model(program, oracle, accepted).run();
}

class Model {
  readonly trace: string[] = [];
  readonly ring = new Ring<ModelTasklet>();
  readonly channels: ModelChannel[];
  readonly main: ModelTasklet;
  /** Created tasklets by name; a definition not created yet is absent. */
  readonly tasklets = new Map<TaskletRef, ModelTasklet>();
  running: ModelTasklet;
  readonly lock = new ModelLock();
  readonly semaphore: ModelSemaphore;
  readonly event = new ModelEvent();
  /** Who waits in join() for each tasklet. */
  readonly joiners = new Map<ModelTasklet, WaitQueue>();

  constructor(
    readonly program: Program,
    readonly oracle: SelectOracle,
    /** Known departures of the real packages to reproduce (triage only, see quirks.ts). */
    readonly accepted: ReadonlySet<Quirk>,
  ) {
    this.channels = program.channels.map((spec, i) => new ModelChannel(i, spec));
    this.semaphore = new ModelSemaphore(program.permits);
    this.main = new ModelTasklet('main', [], mainOps(program), true);
    this.main.started = true;
    this.ring.insertAtEnd(this.main);
    this.running = this.main;
  }

  run(): string[] {
    for (let steps = 0; ; steps++) {
      if (steps > MAX_STEPS) throw new Error('model: runaway program');
      const t = this.running;
      if (this.ring.head !== t) throw new Error(`model: ${t.name} runs but is not the head of the ring`);
      if (!t.started) {
        t.started = true;
        this.trace.push(startLine(t.name, t.args, true));
      } else if (t.scopeWaiting) {
        t.scopeWaiting = false;
        const interruption = t.pending;
        t.pending = undefined;
        this.scopeWait(t, interruption);
        continue;
      } else if (t.pending !== undefined) {
        const outcome = t.pending;
        t.pending = undefined;
        t.handed = undefined;
        this.complete(t, outcome);
        continue;
      }
      if (t.pc >= t.ops.length) {
        if (t.isMain) return this.trace;
        this.end(t, returnedValue(resultValue(t.name)));
        continue;
      }
      const op = t.ops[t.pc]!;
      if (op.kind === 'scopeEnd') {
        this.trace.push(bodyFinallyLine(t.name, t.scopes.at(-1)!.begin));
        this.scopeWait(t, undefined);
        continue;
      }
      this.trace.push(beginLine(t.name, t.pc, describeOp(op)));
      if (op.kind === 'scopeBegin') {
        this.openScope(t);
        continue;
      }
      const step = this.execute(t, op);
      if (step !== SUSPENDED) this.complete(t, step);
    }
  }

  /**
   * Records the end of `t`'s current op. A TaskletExit goes on (the op
   * wrapper rethrows it), and so does the error of a fail or a scope: it
   * ends the body of the innermost scope, or the tasklet.
   */
  complete(t: ModelTasklet, outcome: Outcome): void {
    this.trace.push(endLine(t.name, t.pc, outcome));
    const goesOn = outcome === TASKLET_EXIT ? !(t.isMain && t.scopes.length === 0) : outcome.startsWith('threw ') && propagates(t.name, t.ops, t.pc);
    t.pc++;
    if (goesOn) this.unwind(t, outcome);
  }

  /** An error leaves the op wrapper: it ends the body of `t`'s innermost scope, else `t` itself. */
  unwind(t: ModelTasklet, error: Outcome): void {
    const s = t.scopes.at(-1);
    if (s !== undefined) {
      this.trace.push(bodyFinallyLine(t.name, s.begin));
      this.bodyEnded(s, error, t.exitIsCancellation);
      t.pc = scopeEndOf(t.ops, s.begin);
      this.scopeWait(t, undefined);
      return;
    }
    if (t.isMain) return;
    this.end(t, error === TASKLET_EXIT ? OK : error);
  }

  // ---- who runs next ------------------------------------------------------

  /**
   * Main is "floating" while it waits in run() or is paused (scheduleRemove,
   * switch): not in the ring, not blocked. Stackless' schedule_task_block()
   * revives it (revive_main) when the ring runs empty, and slp_tasklet_end()
   * wakes it when the last tasklet ends.
   */
  mainIsFloating(): boolean {
    const m = this.main;
    return !this.ring.has(m) && !m.blocked;
  }

  /**
   * `self` has just left the ring (blocked or scheduleRemove). The new head
   * runs; with none, main is revived if it floats (schedule_task_block:
   * revive_main); otherwise nothing could ever wake `self`: undefined, and the
   * caller raises the deadlock ("the last runnable tasklet cannot be blocked").
   */
  nextAfterLeaving(self: ModelTasklet): ModelTasklet | undefined {
    const head = this.ring.head;
    if (head !== undefined) return head;
    if (self !== this.main && this.mainIsFloating()) {
      this.ring.insertAtEnd(this.main);
      return this.main;
    }
    return undefined;
  }

  /**
   * slp_tasklet_end(): the tasklet leaves the ring, its successor runs. With
   * the ring empty main runs: a floating main resumes, a blocked main is
   * taken off its channel and gets the deadlock ("the main tasklet is
   * receiving without a sender available").
   */
  end(t: ModelTasklet, result: Outcome): void {
    // Its function's finally block runs before it is dead (and a cancelled child's cleanup so shows).
    this.trace.push(finallyLine(t.name));
    this.die(t, result);
    if (this.ring.head !== undefined) {
      this.running = this.ring.head;
      return;
    }
    const m = this.main;
    if (m.blocked) {
      this.leaveWait(m);
      m.pending = DEADLOCK;
    }
    this.ring.insertAtEnd(m);
    this.running = m;
  }

  /**
   * `t` is dead with `result` (what join() gives): its joiners are woken in
   * the order they joined, each at the end of the ring (gevent runs a
   * greenlet's links in order); then its scope hears of it: an error cancels
   * the scope, and the last child to die wakes a body waiting for the
   * children; then the `finished` or `failed` event (docs/structured.md: a
   * listener sees the scope cancelled already).
   */
  die(t: ModelTasklet, result: Outcome): void {
    t.dead = true;
    t.result = result;
    this.ring.remove(t);
    const joiners = this.joiners.get(t);
    for (let j = joiners?.shift(); j !== undefined; j = joiners!.shift()) this.wake(j, result);
    const s = t.childOf;
    if (s !== undefined) {
      if (result.startsWith('threw ')) {
        s.errors.push(result);
        this.cancel(s, 'error');
      }
      if (s.liveChildren.length === 0 && s.owner.scopeWaiting) {
        const owner = s.childrenWait.shift();
        if (owner !== undefined) this.ring.insertAtEnd(owner);
      }
    }
    this.trace.push(result.startsWith('threw ') ? `failed ${t.name} ${errorName(result)}` : `finished ${t.name}`);
  }

  /** A blocked tasklet's operation ends with `outcome`: it goes to the end of the ring. */
  wake(t: ModelTasklet, outcome: Outcome): void {
    this.leaveWait(t);
    t.pending = outcome;
    this.ring.insertAtEnd(t);
  }

  /** Takes `t` off whatever it blocks on. A Lock or permit it was handed but never took goes on to the next waiter. */
  leaveWait(t: ModelTasklet): void {
    if (t.waiters !== undefined) takeOff(t.waiters[0]!);
    t.waitingOn?.leave(t);
  }

  /** `t`'s pending outcome is replaced by an error before it ran: what a release handed it is passed on. */
  forfeit(t: ModelTasklet): void {
    const handed = t.handed;
    t.handed = undefined;
    if (handed === 'lock') this.releaseLock();
    else if (handed === 'semaphore') this.releasePermit();
  }

  /**
   * slp_schedule_task(prev, target) as tasklet.run(), kill() and throw() use
   * it: a blocked target leaves its channel, a target not in the ring is
   * inserted at its end, then the ring turns to the target.
   */
  switchTo(target: ModelTasklet): void {
    this.leaveWait(target);
    if (!this.ring.has(target)) this.ring.insertAtEnd(target);
    this.ring.makeHead(target);
    this.running = target;
  }

  /** Suspends `self` until it runs again, then its op has `outcome` (unless a kill or throw replaces it). */
  suspend(self: ModelTasklet, outcome: Outcome, next: ModelTasklet): Step {
    self.pending = outcome;
    this.running = next;
    return SUSPENDED;
  }

  // ---- ops ----------------------------------------------------------------

  execute(self: ModelTasklet, op: Op): Step {
    switch (op.kind) {
      case 'send':
        return this.send(self, this.channels[op.channel]!, { kind: 'value', value: sentValue(self.name, self.pc) }, undefined);
      case 'sendThrow':
        return this.send(self, this.channels[op.channel]!, { kind: 'error', value: sentValue(self.name, self.pc) }, undefined);
      case 'receive':
        return this.receive(self, this.channels[op.channel]!, undefined);
      case 'close':
        return this.close(this.channels[op.channel]!);
      case 'open':
        this.channels[op.channel]!.closing = false;
        return OK;
      case 'select':
        return this.select(self, op);
      case 'schedule': {
        // PyStackless_Schedule: next = prev->next; with no other runnable, no switch.
        const outcome = op.withValue ? returnedValue(sentValue(self.name, self.pc)) : returnedTasklet(self.name);
        if (this.ring.size === 1) return outcome;
        this.ring.rotate();
        return this.suspend(self, outcome, this.ring.head!);
      }
      case 'scheduleRemove': {
        this.ring.remove(self);
        const next = this.nextAfterLeaving(self);
        if (next === undefined) {
          this.ring.insertAtEnd(self); // the deadlock bomb reinserts it
          return threw('DeadlockError');
        }
        return this.suspend(self, returnedTasklet(self.name), next);
      }
      case 'getruncount':
        // ts->st.runcount: the ring's size (main is out of it while it waits in run()).
        return returnedNumber(this.ring.size);
      case 'spawn':
        return this.spawn(self, op.target, op.mode);
      case 'kill':
      case 'throw':
        return this.raise(self, op.target, op.kind === 'kill');
      case 'run':
      case 'switch':
        return this.runTasklet(self, op.target, op.kind === 'switch');
      case 'insert': {
        const t = this.tasklets.get(op.target);
        if (t === undefined) return ABSENT;
        // impl_tasklet_insert: "You cannot run a blocked tasklet" / "an unbound(dead) tasklet".
        if (t.dead || t.blocked) return threw('SchedulerError');
        if (!this.ring.has(t)) this.ring.insertAtEnd(t);
        return OK;
      }
      case 'remove': {
        const t = this.tasklets.get(op.target);
        if (t === undefined) return ABSENT;
        // impl_tasklet_remove: "You cannot remove a blocked tasklet" / "The current tasklet cannot be removed".
        if (t.blocked || t === self) return threw('SchedulerError');
        this.ring.remove(t);
        return OK;
      }
      case 'setup':
        // tasklet_setup: "tasklet is alive"; a dead one has no function any more. Every tasklet here was bound.
        return this.tasklets.has(op.target) ? threw('SchedulerError') : ABSENT;
      case 'runAll': {
        // PyStackless_RunWatchdogEx: main leaves the ring and switches to its
        // head; with none, schedule_task_block revives it at once.
        this.ring.remove(self);
        const next = this.nextAfterLeaving(self);
        if (next === undefined) {
          this.ring.insertAtEnd(self);
          return OK;
        }
        return this.suspend(self, OK, next);
      }
      case 'snapshot':
        this.snapshot();
        return OK;
      case 'join':
        return this.join(self, op.target);
      case 'fail':
        return threw('FailError');
      case 'cancel':
        this.cancel(self.scopes[self.scopes.length - 1 - op.level]!, 'cancel');
        return OK;
      case 'scopeBegin':
      case 'scopeEnd':
        throw new Error('model: scopes are run by run()');
      case 'lockAcquire':
        // Not reentrant: acquiring it again from its holder throws (docs/structured.md).
        if (this.lock.holder === self) return threw('SchedulerError');
        if (this.lock.holder === undefined) {
          this.lock.holder = self;
          return ACQUIRED;
        }
        return this.blockOn(self, this.lock.queue);
      case 'lockRelease':
        if (this.lock.holder !== self) return threw('SchedulerError');
        this.releaseLock();
        return OK;
      case 'semAcquire':
        if (this.semaphore.value > 0) {
          this.semaphore.value--;
          return ACQUIRED;
        }
        return this.blockOn(self, this.semaphore.queue);
      case 'semRelease':
        this.releasePermit();
        return OK;
      case 'eventWait':
        return this.event.isSet ? ACQUIRED : this.blockOn(self, this.event.queue);
      case 'eventSet':
        // Every waiter is woken, in the order they came; the setter goes on.
        this.event.isSet = true;
        for (let w = this.event.queue.shift(); w !== undefined; w = this.event.queue.shift()) this.wake(w, ACQUIRED);
        return OK;
      case 'eventClear':
        this.event.isSet = false;
        return OK;
    }
  }

  /** The Lock goes to the longest waiter (handed: it holds it before it runs), else it is free. */
  releaseLock(): void {
    const next = this.lock.queue.shift();
    this.lock.holder = next;
    if (next === undefined) return;
    this.wake(next, ACQUIRED);
    next.handed = 'lock';
  }

  /** A permit goes to the longest waiter, else back to the Semaphore. */
  releasePermit(): void {
    const next = this.semaphore.queue.shift();
    if (next === undefined) {
      this.semaphore.value++;
      return;
    }
    this.wake(next, ACQUIRED);
    next.handed = 'semaphore';
  }

  /**
   * t.join() (gevent's Greenlet.get): a dead target gives its result at
   * once; joining oneself is a SchedulerError; else the caller blocks until
   * the target dies.
   */
  join(self: ModelTasklet, name: TaskletRef): Step {
    const t = this.tasklets.get(name);
    if (t === undefined) return ABSENT;
    if (t === self) return threw('SchedulerError');
    if (t.dead) return t.result!;
    let queue = this.joiners.get(t);
    if (queue === undefined) this.joiners.set(t, (queue = new WaitQueue()));
    return this.blockOn(self, queue);
  }

  /**
   * Blocks `self` on a wait queue: a cancellation point (TaskletExit in a
   * cancelled scope, rule 4), and a deadlock when nothing else could run,
   * exactly as for channels.
   */
  blockOn(self: ModelTasklet, queue: WaitQueue): Step {
    if (this.inCancelledScope(self)) return this.cancelled(self);
    this.ring.remove(self);
    const next = this.nextAfterLeaving(self);
    if (next === undefined) {
      this.ring.insertAtEnd(self);
      return DEADLOCK;
    }
    queue.add(self);
    this.running = next;
    return SUSPENDED;
  }

  /** A blocking operation in a cancelled scope: TaskletExit, without blocking. */
  cancelled(self: ModelTasklet): Outcome {
    self.exitIsCancellation = true;
    return TASKLET_EXIT;
  }

  // ---- scopes -------------------------------------------------------------

  /** Whether `t` is in a cancelled scope: its blocking operations throw TaskletExit instead of blocking. */
  inCancelledScope(t: ModelTasklet): boolean {
    return t.scopes.some((s) => s.cancelled !== undefined) || t.childOf?.cancelled !== undefined;
  }

  /**
   * scopeBegin: the body starts at once in the calling tasklet. A scope
   * opened inside a cancelled one is cancelled from the start (Trio: a
   * cancel scope inside a cancelled one is cancelled too); its body runs
   * until its first blocking operation.
   */
  openScope(t: ModelTasklet): void {
    const parent = t.scopes.at(-1) ?? t.childOf;
    const s = new ModelScope(t.pc, t, parent);
    parent?.inner.push(s);
    t.scopes.push(s);
    t.pc++;
    if (parent?.cancelled !== undefined) s.cancelled = 'parent';
  }

  /**
   * The body of `s` has ended (error undefined: it ran to its end). An error
   * is recorded and cancels the scope; a TaskletExit of its own (or an
   * enclosing scope's) cancellation is how a cancellation completes; one from
   * kill() cancels the scope and goes on out of scope() (rule 8).
   */
  bodyEnded(s: ModelScope, error: Outcome | undefined, exitIsCancellation: boolean): void {
    if (error === undefined) return;
    if (error === TASKLET_EXIT) {
      if (exitIsCancellation && s.cancelled !== undefined) return;
      s.rethrowExit = true;
      this.cancel(s, 'exit');
      return;
    }
    s.errors.push(error);
    this.cancel(s, 'error');
  }

  /**
   * The body is done: scope() waits until every child is dead, then returns
   * or throws (rule 1). The wait is no cancellation point; an error or kill
   * that reaches it (a DeadlockError when nothing could run, kill(), throw())
   * counts as the body's and cancels the scope, and the wait goes on.
   */
  scopeWait(t: ModelTasklet, interruption: Outcome | undefined): void {
    const s = t.scopes.at(-1)!;
    if (interruption !== undefined) this.bodyEnded(s, interruption, false);
    if (s.liveChildren.length === 0) {
      this.closeScope(t, s);
      return;
    }
    this.ring.remove(t);
    const next = this.nextAfterLeaving(t);
    if (next === undefined) {
      this.ring.insertAtEnd(t);
      this.scopeWait(t, DEADLOCK);
      return;
    }
    s.childrenWait.add(t);
    t.scopeWaiting = true;
    this.running = next;
  }

  /**
   * Every child is dead: scope() throws its error (several: an
   * AggregateError of them in the order thrown); else a TaskletExit if an
   * enclosing scope's cancellation or a kill ended it; else it returns the
   * body's value (undefined here), also when cancelled by s.cancel().
   */
  closeScope(t: ModelTasklet, s: ModelScope): void {
    t.scopes.pop();
    s.ended = true;
    const outcome =
      s.errors.length > 1
        ? threw(`AggregateError[${s.errors.map(errorName).join(',')}]`)
        : (s.errors[0] ?? (s.rethrowExit || s.cancelled === 'parent' ? TASKLET_EXIT : OK));
    t.exitIsCancellation = !s.rethrowExit;
    this.trace.push(endLine(t.name, s.begin, outcome));
    t.pc = scopeEndOf(t.ops, s.begin) + 1;
    const goesOn = outcome === TASKLET_EXIT ? !(t.isMain && t.scopes.length === 0) : outcome !== OK && propagates(t.name, t.ops, s.begin);
    if (goesOn) this.unwind(t, outcome);
  }

  /**
   * Cancels `s` (rules 2, 4, 7), innermost first (docs/structured.md, "Who
   * runs first"): the scopes opened inside it are cancelled in the order
   * they were opened, each the same way; then its children still alive are
   * killed in spawn order (one that never ran dies at once; one suspended
   * gets TaskletExit there, taken off what it blocks on and put at the end of
   * the ring; one in a scope's wait for its children is left to it); then its
   * body is woken with TaskletExit if it blocks. s.cancel() returns at once.
   */
  cancel(s: ModelScope, why: Cancellation): void {
    if (s.cancelled !== undefined || s.ended) return;
    s.cancelled = why;
    for (const inner of s.inner) this.cancel(inner, 'parent');
    for (const child of s.liveChildren) {
      if (!child.started) this.die(child, OK);
      else this.interruptWithExit(child, true);
    }
    this.interruptWithExit(s.owner, false);
  }

  /**
   * A cancellation's TaskletExit in `t`: a killed child gets it wherever it
   * is suspended, a body only where it blocks (schedule() is no cancellation
   * point). The running tasklet meets it at its next blocking operation, and
   * so does one woken with an error not yet thrown (a failure a join
   * delivered, a SentError): the error is its, never lost (rule 3).
   */
  interruptWithExit(t: ModelTasklet, anywhere: boolean): void {
    if (t.dead || t === this.running || t.scopeWaiting || t.pending?.startsWith('threw ')) return;
    if (!anywhere && !t.blocked) return;
    this.forfeit(t);
    this.leaveWait(t);
    t.pending = TASKLET_EXIT;
    t.exitIsCancellation = true;
    if (!this.ring.has(t)) this.ring.insertAtEnd(t);
  }


  spawn(self: ModelTasklet, name: TaskletRef, mode: CreateMode): Step {
    const spec = this.program.tasklets.find((s) => s.name === name)!;
    const t = new ModelTasklet(name, spec.args, spec.ops, false);
    this.tasklets.set(name, t);
    // tasklet(fn)(...args) = bind + setup: at the end of the ring. bind(fn, args): alive, paused.
    if (mode === 'setup') this.ring.insertAtEnd(t);
    if (mode === 'child') {
      // s.spawn(): at the end of the ring; on a cancelled scope, dead without running (rule 8).
      const s = self.scopes.at(-1)!;
      t.childOf = s;
      s.children.push(t);
      if (s.cancelled !== undefined) this.die(t, OK);
      else this.ring.insertAtEnd(t);
    }
    return returnedTasklet(name);
  }

  /**
   * kill() and throw(): _impl_tasklet_throw_bomb. Into the current tasklet:
   * raised at once. Into a dead one: TaskletExit is no error, anything else
   * is. Into one that never ran: it dies without running (our documented
   * rule; a thrown error is reported as its failure). Otherwise the bomb is
   * its tempval and slp_schedule_task switches to it at once.
   */
  raise(self: ModelTasklet, name: TaskletRef, kill: boolean): Step {
    const t = this.tasklets.get(name);
    if (t === undefined) return ABSENT;
    const error = kill ? TASKLET_EXIT : threw('InjectedError');
    if (t === self) {
      self.exitIsCancellation = false;
      return error;
    }
    if (t.dead) return kill ? OK : threw('SchedulerError');
    if (!t.started) {
      this.die(t, kill ? OK : error);
      return OK;
    }
    this.forfeit(t);
    t.pending = error;
    t.exitIsCancellation = false;
    self.pending = OK;
    this.switchTo(t);
    return SUSPENDED;
  }

  /**
   * tasklet.run() and switch(): impl_tasklet_run_remove. The target is
   * inserted at the end if it is not in the ring; switch() also removes the
   * caller (slp_current_remove); then the ring turns to the target.
   */
  runTasklet(self: ModelTasklet, name: TaskletRef, removeCaller: boolean): Step {
    const t = this.tasklets.get(name);
    if (t === undefined) return ABSENT;
    if (t.dead || t.blocked) return threw('SchedulerError');
    if (t === self) return OK;
    if (!this.ring.has(t)) this.ring.insertAtEnd(t);
    if (removeCaller) this.ring.remove(self);
    self.pending = OK;
    this.ring.makeHead(t);
    this.running = t;
    return SUSPENDED;
  }

  // ---- channels -----------------------------------------------------------

  /**
   * A transfer between `source` (running) and `target` (a waiter just taken
   * off the channel): generic_channel_cando(). If the channel prefers the
   * target's side (preference == -dir), the target goes right behind the
   * source and runs at once, so the source resumes only after every tasklet
   * already runnable; otherwise the target goes to the end and the source
   * goes on.
   */
  transfer(source: ModelTasklet, target: ModelTasklet, channel: ModelChannel, dir: 1 | -1, outcome: Outcome): Step {
    if (channel.preference === -dir) {
      this.ring.insertAfterHead(target);
      this.ring.makeHead(target);
      if (this.accepted.has('preference-caller-right-behind')) {
        this.ring.remove(source);
        this.ring.insertAfterHead(source);
      }
      return this.suspend(source, outcome, target);
    }
    this.ring.insertAtEnd(target);
    return outcome;
  }

  /** What a waiting receiver's operation ends with when it gets `item`. */
  receivedBy(waiter: Waiter, item: Item): Outcome {
    if (item.kind === 'error') return sentError(item);
    return waiter.select ? selected(waiter.select.index, { value: item.value }) : returnedValue(item.value);
  }

  /** What a waiting sender's operation ends with when its value is taken. */
  takenFrom(waiter: Waiter): Outcome {
    return waiter.select ? selected(waiter.select.index) : OK;
  }

  /**
   * send (dir +1). Closing: ChannelClosedError (docs/channels.md; Stackless
   * raises only when it would block, but no receiver can wait on a closing
   * channel here). A waiting receiver gets the value (transfer). Else a
   * buffer with room takes it (Go). Else the sender blocks.
   */
  send(self: ModelTasklet, channel: ModelChannel, item: Item, selectIndex: number | undefined): Step {
    const done = selectIndex === undefined ? OK : selected(selectIndex);
    if (channel.closing) return threw('ChannelClosedError');
    const receiver = channel.firstWaiting(false);
    if (receiver !== undefined) {
      takeOff(receiver);
      receiver.tasklet.pending = this.receivedBy(receiver, item);
      return this.transfer(self, receiver.tasklet, channel, 1, done);
    }
    if (channel.buffer.length < channel.capacity) {
      channel.buffer.push(item);
      return done;
    }
    return this.block(self, [{ channel, sending: true, item }]);
  }

  /**
   * receive (dir -1). A buffered value comes first (Go's FIFO); the oldest
   * waiting sender's value then moves into the buffer and that sender goes
   * to the end of the ring while the receiver goes on: docs/channels.md
   * ("Whose rules": preference applies only where a tasklet waits on the
   * other side with nothing buffered). Unbuffered, a waiting sender hands
   * over directly (a Stackless transfer). Else closing: ChannelClosedError.
   * Else the receiver blocks.
   */
  receive(self: ModelTasklet, channel: ModelChannel, selectIndex: number | undefined): Step {
    const got = (item: Item): Outcome =>
      item.kind === 'error'
        ? sentError(item)
        : selectIndex === undefined
          ? returnedValue(item.value)
          : selected(selectIndex, { value: item.value });
    const sender = channel.firstWaiting(true);
    if (channel.buffer.length > 0) {
      const item = channel.buffer.shift()!;
      if (sender === undefined) return got(item);
      takeOff(sender);
      channel.buffer.push(sender.item!);
      sender.tasklet.pending = this.takenFrom(sender);
      this.ring.insertAtEnd(sender.tasklet);
      return got(item);
    }
    if (sender !== undefined) {
      takeOff(sender);
      sender.tasklet.pending = this.takenFrom(sender);
      return this.transfer(self, sender.tasklet, channel, -1, got(sender.item!));
    }
    if (channel.closing) return selectIndex === undefined ? threw('ChannelClosedError') : selected(selectIndex, { closed: true });
    return this.block(self, [{ channel, sending: false, item: undefined }]);
  }

  /**
   * close(): Stackless only sets `closing`; as in Go (docs/channels.md),
   * receivers waiting then are woken, oldest first, with
   * ChannelClosedError (a select's receive case reports `closed`), each
   * put at the end of the ring; the closer goes on. Waiting senders stay.
   */
  close(channel: ModelChannel): Outcome {
    channel.closing = true;
    while (channel.firstWaiting(false) !== undefined) {
      const receiver = channel.firstWaiting(false)!;
      takeOff(receiver);
      receiver.tasklet.pending = receiver.select ? selected(receiver.select.index, { closed: true }) : threw('ChannelClosedError');
      this.ring.insertAtEnd(receiver.tasklet);
    }
    return OK;
  }

  /**
   * Blocks `self` on one or more channels: generic_channel_block(). It leaves
   * the ring and the head runs (or floating main is revived); if nothing
   * could run, it does not block and gets DeadlockError.
   */
  block(
    self: ModelTasklet,
    cases: { channel: ModelChannel; sending: boolean; item: Item | undefined }[],
    selectCases = false,
  ): Step {
    if (this.inCancelledScope(self)) return this.cancelled(self);
    this.ring.remove(self);
    const next = this.nextAfterLeaving(self);
    if (next === undefined) {
      this.ring.insertAtEnd(self);
      return DEADLOCK;
    }
    const group: Waiter[] = [];
    cases.forEach((c, index) => {
      const waiter: Waiter = { tasklet: self, channel: c.channel, sending: c.sending, item: c.item, select: selectCases ? { index, group } : undefined };
      group.push(waiter);
      c.channel.waiting.push(waiter);
    });
    self.waiters = group;
    this.running = next;
    return SUSPENDED;
  }

  /**
   * select (Go): if some cases are ready, one of them happens (which one is
   * random; the oracle says which the real run took); a send case on a
   * closing channel is ready and throws ChannelClosedError; a receive case
   * on a closing, drained channel is ready and reports `closed`. None ready:
   * `default` returns index -1, else the tasklet blocks on every case.
   */
  select(self: ModelTasklet, op: Extract<Op, { kind: 'select' }>): Step {
    const ready: number[] = [];
    op.cases.forEach((c, index) => {
      const channel = this.channels[c.channel]!;
      const isReady = c.sending
        ? channel.closing || channel.firstWaiting(false) !== undefined || channel.buffer.length < channel.capacity
        : channel.closing || channel.firstWaiting(true) !== undefined || channel.buffer.length > 0;
      if (isReady) ready.push(index);
    });
    if (ready.length > 0) {
      const wanted = this.oracle(self.name, self.pc);
      const channelOf = (i: number) => this.channels[op.cases[i]!.channel]!;
      const next = (i: number) => channelOf(i).buffer[0] ?? channelOf(i).firstWaiting(true)?.item;
      const tookCase = (i: number) =>
        wanted === undefined
          ? false
          : wanted === threw('ChannelClosedError')
            ? op.cases[i]!.sending && channelOf(i).closing
            : wanted.startsWith('threw SentError')
              ? !op.cases[i]!.sending && next(i)?.kind === 'error' && wanted === sentError(next(i)!)
              : wanted.startsWith(`ok {index:${i},`) || wanted === `ok {index:${i}}`;
      // The real select's outcome does not say (it never returned: its tasklet
      // was killed or thrown into first): the first ready case from
      // floor(pick * n) on, which is what the implementation does with
      // Math.random() = pick.
      const start = Math.floor(op.pick * op.cases.length);
      const scanOrder = op.cases.map((_, k) => (start + k) % op.cases.length).filter((i) => ready.includes(i));
      const index = ready.find(tookCase) ?? scanOrder[0]!;
      const c = op.cases[index]!;
      const channel = this.channels[c.channel]!;
      return c.sending
        ? this.send(self, channel, { kind: 'value', value: sentValue(self.name, self.pc) }, index)
        : this.receive(self, channel, index);
    }
    if (op.withDefault) return selected(-1);
    const cases = op.cases.map((c) => ({
      channel: this.channels[c.channel]!,
      sending: c.sending,
      item: c.sending ? ({ kind: 'value', value: sentValue(self.name, self.pc) } as const) : undefined,
    }));
    return this.block(self, cases, true);
  }

  // ---- the final state ----------------------------------------------------

  snapshot(): void {
    this.trace.push(`snapshot runcount=${this.ring.size}`);
    for (const c of this.channels) {
      this.trace.push(
        channelLine(c.index, {
          balance: c.balance,
          length: c.buffer.length,
          queue: c.waiting[0]?.tasklet.name ?? '-',
          closing: c.closing,
          closed: c.closed,
        }),
      );
    }
    for (const spec of this.program.tasklets) {
      const t = this.tasklets.get(spec.name);
      if (t === undefined) {
        this.trace.push(taskletLine(spec.name, undefined));
        continue;
      }
      const alive = !t.dead;
      const scheduled = alive && (this.ring.has(t) || t.blocked);
      const flags = [alive && 'alive', t.blocked && 'blocked', scheduled && 'scheduled', alive && !scheduled && 'paused'];
      this.trace.push(taskletLine(spec.name, flags.filter((f): f is string => typeof f === 'string')));
    }
    this.trace.push(`sync locked=${this.lock.locked} value=${this.semaphore.value} set=${this.event.isSet}`);
  }
}
