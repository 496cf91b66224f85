// The reference model: Stackless' scheduler and channels (with Go's buffers,
// close and select) as a plain, slow interpreter of step programs. Nothing
// switches stacks: each tasklet is a list of operations and a position in
// it. Written from the rules, not from our code:
// - The runnables form a ring whose head runs (Stackless' chain; here an
//   array with the head first). A tasklet switched to becomes the head: one
//   not in the ring is first put at its tail, just ahead of the caller
//   (slp_schedule_task: slp_current_insert, then current = next).
// - schedule() turns the ring one step; scheduleRemove() leaves it.
// - A transfer with a waiting partner: the side the preference names is put
//   right after the caller and switched to; otherwise it goes to the tail and
//   the caller goes on (channelobject.c, generic_channel_action).
// - kill()/throw() switch to the target at once, as run() does; one that
//   never ran dies without running, and an error other than TaskletExit then
//   goes to main at once.
// - main in run() is out of the ring (the watchdog); it resumes when nothing
//   else is runnable. A tasklet that ends hands over to the next in the ring,
//   else to main, which is runnable again; main blocked on a channel then
//   gets DeadlockError, and anyone blocking with nothing else runnable gets
//   it before blocking.
// - Buffers, close and select follow Go and docs/channels.md: a buffered
//   value or a blocked sender's is received first; after close() sends throw
//   and receives drain, then throw; a select takes the first ready case in
//   order (the real run's randomness is pinned) and otherwise waits on all.
import { MAX_TASKLETS, type Op, type Outcome, type Program, describeError, describeResult, epilogue } from './program.js';

class ModelError extends Error {
  constructor(name: string) {
    super(name);
    this.name = name;
  }
}
const deadlock = () => new ModelError('DeadlockError');
const schedulerError = () => new ModelError('SchedulerError');
const closedError = () => new ModelError('ChannelClosedError');
const taskletExit = () => new ModelError('TaskletExit');
const injected = () => new ModelError('InjectedError');

interface Waiter {
  readonly tasklet: Tasklet;
  readonly sending: boolean;
  readonly value: number | undefined;
  /** Set for a select's waiter: which case, and the select's record. */
  readonly select?: { caseIndex: number; record: SelectRecord };
}

interface SelectRecord {
  waiters: Array<{ channel: Channel; waiter: Waiter }>;
}

/** What a blocked tasklet's operation ends with. */
type Resumption = { error: Error } | { value: unknown };

class Tasklet {
  pc = 0;
  started = false;
  dead = false;
  /** Its operation is under way: it ends when the tasklet resumes. */
  suspended = false;
  blockedOn: { waiters: Array<{ channel: Channel; waiter: Waiter }> } | undefined;
  resumption: Resumption | undefined;
  constructor(
    readonly id: number,
    readonly ops: Op[],
  ) {}
}

class Channel {
  readonly buffer: Array<{ value: number }> = [];
  readonly waiting: Waiter[] = [];
  closing = false;
  constructor(
    readonly capacity: number,
    readonly preference: number,
  ) {}

  get balance(): number {
    if (this.waiting.length === 0) return 0;
    return this.waiting[0]!.sending ? this.waiting.length : -this.waiting.length;
  }

  get closed(): boolean {
    return this.closing && this.buffer.length === 0 && !(this.waiting[0]?.sending ?? false);
  }

  waitingIn(sending: boolean): boolean {
    return this.waiting.length > 0 && this.waiting[0]!.sending === sending;
  }
}

export function runModel(program: Program): Outcome {
  return new Machine(program).run();
}

class Machine {
  readonly trace: string[] = [];
  readonly channels: Channel[];
  readonly tasklets: Tasklet[] = [];
  ring: Tasklet[] = [];
  readonly main: Tasklet;
  current: Tasklet;
  /** main waiting in run(): out of the ring. */
  runnerActive = false;

  constructor(readonly program: Program) {
    this.channels = program.channels.map((c) => new Channel(c.capacity, Math.max(-1, Math.min(1, c.preference))));
    this.main = new Tasklet(0, [...program.main, ...epilogue()]);
    this.main.started = true;
    this.tasklets.push(this.main);
    this.ring.push(this.main);
    this.current = this.main;
    for (const ops of program.tasklets) this.create(ops);
  }

  run(): Outcome {
    for (let steps = 0; ; steps++) {
      if (steps > 1_000_000) throw new Error('model: program does not end');
      const t = this.current;
      if (t.suspended && !this.resume(t)) continue;
      if (t.pc >= t.ops.length) {
        if (t === this.main) break;
        this.log(t, 'end');
        this.end(t);
        continue;
      }
      const op = t.ops[t.pc]!;
      try {
        const result = this.perform(t, op);
        if (t.suspended) {
          // Switched away (a hand-off) with its result known: it is returned
          // when t resumes, unless an error sent meanwhile replaces it.
          if (result !== undefined) t.resumption = { value: result };
          continue;
        }
        this.complete(t, describeResult(result));
      } catch (error) {
        this.fail(t, error as Error);
      }
    }
    return {
      trace: this.trace,
      channels: this.channels.map((c) => ({ balance: c.balance, length: c.buffer.length, closing: c.closing, closed: c.closed })),
      runCount: this.ring.length,
    };
  }

  log(t: Tasklet, outcome: string): void {
    this.trace.push(`${t.id}:${t.pc}:${outcome}`);
  }

  complete(t: Tasklet, outcome: string): void {
    this.log(t, outcome);
    t.pc++;
  }

  /** An operation threw: TaskletExit ends the tasklet, anything else is logged and it goes on. */
  fail(t: Tasklet, error: Error): void {
    if (error.name === 'TaskletExit' && t !== this.main) {
      this.log(t, 'exit');
      this.end(t);
      return;
    }
    this.complete(t, describeError(error));
  }

  /** A suspended tasklet runs again; false when it suspends once more. */
  resume(t: Tasklet): boolean {
    const resumption = t.resumption;
    t.resumption = undefined;
    t.suspended = false;
    const op = t.ops[t.pc]!;
    if (resumption !== undefined && 'error' in resumption) {
      if (op.kind === 'runAll') this.leaveRun();
      this.fail(t, resumption.error);
      return false;
    }
    if (op.kind === 'runAll') {
      if (this.ring.some((x) => x !== this.main)) {
        this.switchTo(this.ring.find((x) => x !== this.main)!, t, true);
        return false;
      }
      this.leaveRun();
      this.complete(t, 'ok');
      return false;
    }
    this.complete(t, describeResult(resumption?.value));
    return false;
  }

  // The ring.
  isQueued(t: Tasklet): boolean {
    return this.ring.includes(t);
  }
  append(t: Tasklet): void {
    if (!this.isQueued(t)) this.ring.push(t);
  }
  remove(t: Tasklet): void {
    const i = this.ring.indexOf(t);
    if (i >= 0) this.ring.splice(i, 1);
  }
  makeHead(t: Tasklet): void {
    this.append(t);
    const i = this.ring.indexOf(t);
    this.ring = [...this.ring.slice(i), ...this.ring.slice(0, i)];
  }
  rotate(): void {
    if (this.ring.length > 0) this.ring.push(this.ring.shift()!);
  }
  head(): Tasklet | undefined {
    return this.ring[0];
  }

  /** Suspends `self` in its operation and runs `target`. */
  switchTo(target: Tasklet, self: Tasklet, alreadySuspended = false): void {
    if (target === self && !alreadySuspended) return;
    self.suspended = true;
    target.started = true;
    this.current = target;
  }

  nextAfterLeaving(self: Tasklet): Tasklet | undefined {
    if (!this.runnerActive || self === this.main) return this.head();
    return this.head() ?? this.main;
  }

  leaveRun(): void {
    this.runnerActive = false;
    if (!this.isQueued(this.main)) this.makeHead(this.main);
  }

  create(ops: Op[]): Tasklet {
    const t = new Tasklet(this.tasklets.length, ops);
    this.tasklets.push(t);
    this.ring.push(t);
    return t;
  }

  target(id: number): Tasklet | undefined {
    return id >= 1 ? this.tasklets[id] : undefined;
  }

  /** Wakes a blocked tasklet: it goes to the tail of the ring. */
  wake(t: Tasklet, resumption: Resumption): void {
    this.unblock(t);
    t.resumption = resumption;
    this.append(t);
  }

  /** Takes a blocked tasklet's waiters off every channel. */
  unblock(t: Tasklet): void {
    for (const { channel, waiter } of t.blockedOn?.waiters ?? []) {
      const i = channel.waiting.indexOf(waiter);
      if (i >= 0) channel.waiting.splice(i, 1);
    }
    t.blockedOn = undefined;
  }

  /** The woken side runs now; the caller after every tasklet already runnable. */
  handOff(target: Tasklet, self: Tasklet): void {
    this.remove(target);
    if (this.head() === self) this.rotate();
    this.makeHead(target);
    this.switchTo(target, self);
  }

  /** Serves a waiter (taken off its channel already) with what it waited for. */
  serve(waiter: Waiter, outcome: { value?: number; error?: Error }, runNow: boolean, self: Tasklet): void {
    const t = waiter.tasklet;
    let resumption: Resumption;
    if (waiter.select !== undefined) {
      const { caseIndex } = waiter.select;
      if (outcome.error?.name === 'ChannelClosedError') resumption = { value: { index: caseIndex, closed: true } };
      else resumption = { value: { index: caseIndex, value: outcome.value } };
    } else {
      resumption = outcome.error !== undefined ? { error: outcome.error } : { value: outcome.value };
    }
    this.wake(t, resumption);
    if (runNow) this.handOff(t, self);
  }

  block(self: Tasklet, waiters: Array<{ channel: Channel; waiter: Waiter }>): void {
    this.remove(self);
    const next = this.nextAfterLeaving(self);
    if (next === undefined) {
      this.makeHead(self);
      throw deadlock();
    }
    for (const { channel, waiter } of waiters) channel.waiting.push(waiter);
    self.blockedOn = { waiters };
    this.switchTo(next, self);
  }

  // Channel operations without blocking. Each returns whether it happened.
  trySend(self: Tasklet, channel: Channel, value: number): boolean {
    if (channel.closing) throw closedError();
    if (channel.waitingIn(false)) {
      const receiver = channel.waiting.shift()!;
      this.serve(receiver, { value }, channel.preference < 0, self);
      return true;
    }
    if (channel.buffer.length < channel.capacity) {
      channel.buffer.push({ value });
      return true;
    }
    return false;
  }

  /** A value to receive without blocking, or undefined. */
  tryReceive(self: Tasklet, channel: Channel): { value: number } | undefined {
    if (channel.buffer.length > 0) {
      const item = channel.buffer.shift()!;
      if (channel.waitingIn(true)) {
        const sender = channel.waiting.shift()!;
        channel.buffer.push({ value: sender.value! });
        this.serve(sender, {}, false, self);
      }
      return item;
    }
    if (channel.waitingIn(true)) {
      const sender = channel.waiting.shift()!;
      const item = { value: sender.value! };
      this.serve(sender, {}, channel.preference > 0, self);
      return item;
    }
    return undefined;
  }

  end(t: Tasklet): void {
    t.dead = true;
    this.remove(t);
    const next = this.nextAfterLeaving(t);
    if (next !== undefined) {
      next.started = true;
      this.current = next;
      return;
    }
    this.makeHead(this.main);
    if (this.main.blockedOn !== undefined && this.main.resumption === undefined) {
      this.unblock(this.main);
      this.main.resumption = { error: deadlock() };
    }
    this.current = this.main;
  }

  /** An error that ends a tasklet that never ran goes to main at once. */
  raiseInMain(self: Tasklet, error: Error): void {
    const main = this.main;
    this.unblock(main);
    main.resumption = { error };
    if (self === main) {
      main.resumption = undefined;
      throw error;
    }
    this.makeHead(main);
    this.switchTo(main, self);
  }

  perform(self: Tasklet, op: Op): unknown {
    switch (op.kind) {
      case 'send': {
        const channel = this.channels[op.channel]!;
        if (!this.trySend(self, channel, op.value)) this.block(self, [{ channel, waiter: { tasklet: self, sending: true, value: op.value } }]);
        return undefined;
      }
      case 'receive': {
        const channel = this.channels[op.channel]!;
        const ready = this.tryReceive(self, channel);
        if (ready !== undefined) return ready.value;
        if (channel.closing) throw closedError();
        this.block(self, [{ channel, waiter: { tasklet: self, sending: false, value: undefined } }]);
        return undefined;
      }
      case 'select': {
        for (const [index, c] of op.cases.entries()) {
          const channel = this.channels[c.channel]!;
          if (c.send !== undefined) {
            if (this.trySend(self, channel, c.send)) return { index };
          } else if (channel.buffer.length > 0 || channel.waitingIn(true) || channel.closing) {
            const ready = this.tryReceive(self, channel);
            return ready !== undefined ? { index, value: ready.value } : { index, closed: true };
          }
        }
        const record: SelectRecord = { waiters: [] };
        for (const [caseIndex, c] of op.cases.entries()) {
          const waiter: Waiter = { tasklet: self, sending: c.send !== undefined, value: c.send, select: { caseIndex, record } };
          record.waiters.push({ channel: this.channels[c.channel]!, waiter });
        }
        this.block(self, record.waiters);
        return undefined;
      }
      case 'schedule': {
        if (this.head() === self) this.rotate();
        this.switchTo(this.head() ?? self, self);
        return undefined;
      }
      case 'scheduleRemove': {
        this.remove(self);
        const next = this.nextAfterLeaving(self);
        if (next === undefined) {
          this.append(self);
          throw deadlock();
        }
        this.switchTo(next, self);
        return undefined;
      }
      case 'kill':
      case 'throw': {
        const target = this.target(op.target);
        if (target === undefined) return 'none';
        if (target.dead) {
          if (op.kind === 'kill') return undefined;
          throw schedulerError();
        }
        const error = op.kind === 'kill' ? taskletExit() : injected();
        if (target === self) throw error;
        if (!target.started) {
          target.dead = true;
          this.remove(target);
          if (op.kind === 'throw') this.raiseInMain(self, error);
          return undefined;
        }
        this.unblock(target);
        target.resumption = { error };
        this.makeHead(target);
        this.switchTo(target, self);
        return undefined;
      }
      case 'insert': {
        const target = this.target(op.target);
        if (target === undefined) return 'none';
        if (target.dead || target.blockedOn !== undefined) throw schedulerError();
        this.append(target);
        return undefined;
      }
      case 'run': {
        const target = this.target(op.target);
        if (target === undefined) return 'none';
        if (target.dead || target.blockedOn !== undefined) throw schedulerError();
        if (target === self) return undefined;
        this.makeHead(target);
        this.switchTo(target, self);
        return undefined;
      }
      case 'close': {
        const channel = this.channels[op.channel]!;
        channel.closing = true;
        if (channel.waitingIn(false)) {
          for (const receiver of channel.waiting.splice(0)) this.serve(receiver, { error: closedError() }, false, self);
        }
        return undefined;
      }
      case 'open':
        this.channels[op.channel]!.closing = false;
        return undefined;
      case 'spawn':
        if (this.tasklets.length > MAX_TASKLETS) return 'none';
        this.create(this.program.spawnable[op.program] ?? []);
        return undefined;
      case 'runAll': {
        this.runnerActive = true;
        if (this.ring.some((x) => x !== self)) {
          this.remove(self);
          this.switchTo(this.head()!, self);
          return undefined;
        }
        this.leaveRun();
        return undefined;
      }
    }
  }
}
