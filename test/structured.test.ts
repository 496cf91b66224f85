// Structured concurrency across the packages (issue 18): channel operations
// are cancellation points of a scope, and a property test over random trees
// of scopes, children, errors and cancellations checks the guarantees that
// Trio's nurseries and Go's errgroup give: no child outlives its scope,
// every error arrives exactly once, finally blocks run, the outcome follows.
import t from 'tap';
import fc from 'fast-check';
import { Channel, onReceive, onSend, select } from '@stackless/channels';
import {
  DeadlockError,
  Event,
  Semaphore,
  TaskletExit,
  TimeoutError,
  events,
  finished,
  getruncount,
  run,
  schedule,
  scope,
  sleep,
  tasklet,
  type Scope,
  type Tasklet,
} from '@stackless/tasklets';
import { checkTaskletsAfterEach } from '@stackless/test-support/tasklets';

checkTaskletsAfterEach(t);

t.test('a cancelled scope wakes children blocked in every channel operation; their finally blocks run', (t) => {
  const rendezvous = new Channel<number>();
  const full = new Channel<number>({ capacity: 1 });
  full.send(0);
  const empty = new Channel<number>({ capacity: 2 });
  const other = new Channel<number>();
  const log: string[] = [];
  const blocked = (label: string, operation: () => unknown) => () => {
    try {
      operation();
      log.push(`${label} went through`);
    } catch (error) {
      log.push(`${label}: ${error instanceof TaskletExit ? 'TaskletExit' : String(error)}`);
      throw error;
    } finally {
      log.push(`${label} finally`);
    }
  };
  const value = scope((s) => {
    s.spawn(blocked('receive', () => rendezvous.receive()));
    s.spawn(blocked('send', () => other.send(1)));
    s.spawn(blocked('buffered send', () => full.send(1)));
    s.spawn(blocked('buffered receive', () => empty.receive()));
    s.spawn(blocked('select', () => select([onReceive(rendezvous), onSend(full, 2)])));
    s.spawn(blocked('receive with a timeout', () => empty.receive({ timeout: 10_000 })));
    s.spawn(blocked('for...of', () => [...empty]));
    schedule();
    t.equal(rendezvous.balance, -2, 'the receivers are blocked');
    s.cancel();
    return 'ignored';
  });
  t.equal(value, undefined);
  for (const label of ['receive', 'send', 'buffered send', 'buffered receive', 'select', 'receive with a timeout', 'for...of']) {
    t.ok(log.includes(`${label}: TaskletExit`), `${label}: TaskletExit`);
    t.ok(log.includes(`${label} finally`), `${label}: finally ran`);
  }
  t.equal(rendezvous.balance, 0, 'the cancelled operations left the channels');
  t.equal(other.balance, 0);
  t.equal(full.balance, 0);
  t.equal(full.receive(), 0, 'no value sent by a cancelled operation');
  t.equal(full.length, 0);
  t.end();
});

// docs/structured.md rule 3 (every error delivered exactly once): a child
// that a channel has handed an error (sendThrow, or close) but that has not
// run since keeps that error when its scope is cancelled; found by the model.
for (const [order, preference] of [
  ['the receiver blocked first', 0],
  ['the sender blocked first, sender preferred', 1],
] as const) {
  t.test(`a cancelled child keeps an error a channel handed it (${order})`, (t) => {
    const channel = new Channel<string>();
    channel.preference = preference;
    const seen: string[] = [];
    scope((s) => {
      s.spawn(() => {
        try {
          channel.receive();
          seen.push('received a value');
        } catch (error) {
          seen.push((error as Error).name);
        }
      });
      if (order === 'the receiver blocked first') schedule(); // the child blocks in receive()
      const sent = new Error('sent');
      sent.name = 'SentError';
      channel.sendThrow(sent);
      s.cancel();
    });
    t.same(seen, ['SentError'], 'the child throws what was sent, not TaskletExit');
    t.end();
  });
}

t.test('the body blocked on a channel is woken by a failing child; the error propagates', (t) => {
  const requests = new Channel<string>();
  const boom = new Error('worker failed');
  const log: string[] = [];
  t.throws(
    () =>
      scope((s) => {
        s.spawn(() => {
          schedule();
          throw boom;
        });
        try {
          requests.receive();
        } finally {
          log.push('body finally');
        }
      }),
    boom,
  );
  t.same(log, ['body finally']);
  t.equal(requests.balance, 0);
  t.end();
});

t.test('a channel operation from main in a cancelled scope throws TaskletExit, and the scope returns', (t) => {
  const ch = new Channel<number>();
  let caught: unknown;
  const value = scope((s) => {
    s.cancel();
    try {
      ch.send(1);
    } catch (error) {
      caught = error;
      throw error;
    }
  });
  t.equal(value, undefined);
  t.type(caught, TaskletExit);
  t.equal(ch.balance, 0);
  t.end();
});

t.test('a scope timeout cancels children blocked on channels (a tasklet waits, so timers fire)', async (t) => {
  const ch = new Channel<number>();
  let outcome: unknown;
  const runner = tasklet(() => {
    try {
      scope(
        (s) => {
          s.spawn(() => ch.receive());
          s.spawn(() => select([onReceive(ch)]));
        },
        { timeout: 10 },
      );
    } catch (error) {
      outcome = error;
    }
  })();
  await finished([runner]);
  t.type(outcome, TimeoutError);
  t.equal(ch.balance, 0);
  t.end();
});

t.test('structured fan-out: results in order, a limit of 2 with a Semaphore, cancel on first failure', (t) => {
  const limit = new Semaphore(2);
  let running = 0;
  let most = 0;
  const work = (n: number) => {
    limit.acquire();
    try {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < n % 3; i++) schedule();
      return n * n;
    } finally {
      running--;
      limit.release();
    }
  };
  const squares = scope((s) => [1, 2, 3, 4, 5, 6].map((n) => s.spawn(work, n)).map((task) => task.join()));
  t.same(squares, [1, 4, 9, 16, 25, 36]);
  t.equal(most, 2);
  t.end();
});

// ---------------------------------------------------------------------------
// Property: random trees of scopes, children, errors, blocking and cancels.

type Block = 'event' | 'receive' | 'send' | 'select' | 'semaphore' | 'join';
type Step =
  | { readonly kind: 'schedule' }
  | { readonly kind: 'block'; readonly on: Block }
  | { readonly kind: 'throw' }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'spawn'; readonly child: Child }
  | { readonly kind: 'scope'; readonly body: readonly Step[]; readonly timeout?: number }
  | { readonly kind: 'sleep'; readonly ms: number };
interface Child {
  readonly steps: readonly Step[];
  /** Throws a new error from its finally block when cancelled. */
  readonly finallyThrows: boolean;
}

/** Random trees; with `timers`, also sleeps and scopes with timeouts (which need a tasklet to wait in). */
function trees(timers: boolean): fc.Arbitrary<Step[]> {
  const extra: fc.Arbitrary<Step>[] = timers ? [fc.record({ kind: fc.constant('sleep' as const), ms: fc.integer({ min: 0, max: 3 }) })] : [];
  const { tree } = fc.letrec<{ tree: Step[]; step: Step; child: Child }>((tie) => ({
    tree: fc.array(tie('step'), { maxLength: 4 }),
    step: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant({ kind: 'schedule' } as const),
      fc.record({ kind: fc.constant('block' as const), on: fc.constantFrom<Block>('event', 'receive', 'send', 'select', 'semaphore', 'join') }),
      fc.constant({ kind: 'throw' } as const),
      fc.constant({ kind: 'cancel' } as const),
      fc.record({ kind: fc.constant('spawn' as const), child: tie('child') as fc.Arbitrary<Child> }),
      timers
        ? fc.record(
            { kind: fc.constant('scope' as const), body: tie('tree') as fc.Arbitrary<Step[]>, timeout: fc.integer({ min: 0, max: 6 }) },
            { requiredKeys: ['kind', 'body'] },
          )
        : fc.record({ kind: fc.constant('scope' as const), body: tie('tree') as fc.Arbitrary<Step[]> }),
      ...extra,
    ),
    child: fc.record({ steps: tie('tree') as fc.Arbitrary<Step[]>, finallyThrows: fc.boolean() }),
  }));
  return tree;
}

/** What a run of a tree did, for the invariants. */
interface Run {
  outcome: { value: unknown } | { error: unknown };
  thrown: Error[];
  spawned: Tasklet[];
  started: Set<number>;
  finallyRan: Set<number>;
  topCancelled: boolean;
  uncaught: unknown[];
}

/**
 * Runs a tree in main (no timers), or with `budgetMs` in a tasklet under a
 * top scope with that timeout, so that every forever-blocked tasklet ends
 * (from a tasklet nothing is a deadlock: main could still wake them).
 */
function runTree(body: readonly Step[], budgetMs?: number): Run | Promise<Run> {
  const thrown: Error[] = [];
  const spawned: Tasklet[] = [];
  const started = new Set<number>();
  const finallyRan = new Set<number>();
  const cancelled = new Set<Scope>();
  const uncaught: unknown[] = [];
  const never = new Event();
  const silent = new Channel<number>();
  const other = new Channel<number>();
  const noPermits = new Semaphore(0);
  const fail = () => {
    const error = new Error(`e${thrown.length}`);
    thrown.push(error);
    throw error;
  };
  const steps = (list: readonly Step[], s: Scope, siblings: Tasklet[]): void => {
    for (const step of list) {
      switch (step.kind) {
        case 'schedule':
          schedule();
          break;
        case 'throw':
          fail();
          break;
        case 'cancel':
          cancelled.add(s);
          s.cancel();
          break;
        case 'spawn': {
          const id = spawned.length;
          const child = step.child;
          const task = s.spawn(() => {
            started.add(id);
            let exit = false;
            try {
              steps(child.steps, s, siblings);
            } catch (error) {
              exit = error instanceof TaskletExit;
              throw error;
            } finally {
              finallyRan.add(id);
              // eslint-disable-next-line no-unsafe-finally
              if (exit && child.finallyThrows) fail();
            }
          });
          spawned.push(task);
          siblings.push(task);
          break;
        }
        case 'scope':
          scope((inner) => steps(step.body, inner, []), step.timeout === undefined ? {} : { timeout: step.timeout });
          break;
        case 'sleep':
          sleep(step.ms);
          break;
        case 'block':
          block(step.on, siblings);
          break;
      }
    }
  };
  const block = (on: Block, siblings: Tasklet[]): void => {
    switch (on) {
      case 'event':
        never.wait();
        break;
      case 'receive':
        silent.receive();
        break;
      case 'send':
        silent.send(1); // another tasklet's receive may take it
        break;
      case 'select':
        select([onReceive(silent), onSend(other, 2)]);
        break;
      case 'semaphore':
        noPermits.acquire();
        break;
      case 'join': {
        const sibling = siblings.at(-1);
        if (sibling === undefined || sibling.isCurrent) return;
        try {
          sibling.join();
        } catch (error) {
          // The sibling's error goes to the scope; the joiner does not throw it again.
          if (error instanceof TaskletExit) throw error;
        }
        break;
      }
    }
  };
  const onError = (error: unknown) => uncaught.push(error);
  let top: Scope | undefined;
  const runTop = (): Run['outcome'] => {
    try {
      return {
        value: scope(
          (s) => {
            top = s;
            steps(body, s, []);
            return 'top';
          },
          budgetMs === undefined ? {} : { timeout: budgetMs },
        ),
      };
    } catch (error) {
      return { error };
    }
  };
  const report = (outcome: Run['outcome']): Run => {
    events.off('error', onError);
    run();
    // Cancelled by the body or by a child, whichever ran the cancel step.
    const topCancelled = top !== undefined && cancelled.has(top);
    return { outcome, thrown, spawned, started, finallyRan, topCancelled, uncaught };
  };
  events.on('error', onError);
  if (budgetMs === undefined) return report(runTop());
  let outcome: Run['outcome'] | undefined;
  const runner = tasklet(() => {
    outcome = runTop();
  })();
  return finished([runner]).then(() => report(outcome!));
}

function flatten(error: unknown): unknown[] {
  return error instanceof AggregateError ? error.errors.flatMap(flatten) : [error];
}

/** The guarantees, checked on one run; TimeoutError and DeadlockError come from the library, not the tree. */
function checkRun(result: Run): void {
  const alive = result.spawned.filter((task) => task.alive);
  if (alive.length > 0) throw new Error(`${alive.length} children outlived their scope`);
  for (const id of result.started) if (!result.finallyRan.has(id)) throw new Error(`child ${id} started but its finally did not run`);
  if (result.uncaught.length > 0) throw new Error(`reported as uncaught: ${result.uncaught.map(String).join(', ')}`);
  const delivered = 'error' in result.outcome ? flatten(result.outcome.error) : [];
  for (const error of delivered) {
    if (error instanceof TaskletExit) throw new Error('a TaskletExit escaped the outermost scope');
    if (!(error instanceof DeadlockError) && !(error instanceof TimeoutError) && !result.thrown.includes(error as Error)) {
      throw new Error(`an error nobody threw came out: ${String(error)}`);
    }
  }
  if (new Set(delivered).size !== delivered.length) throw new Error('an error was delivered twice');
  for (const error of result.thrown) {
    const count = delivered.filter((e) => e === error).length;
    if (count !== 1) throw new Error(`${error.message} was delivered ${count} times`);
  }
  if (delivered.length === 0) {
    const expected = result.topCancelled ? undefined : 'top';
    if (!('value' in result.outcome) || result.outcome.value !== expected) {
      throw new Error(`scope() returned ${String((result.outcome as { value?: unknown }).value)}, expected ${String(expected)}`);
    }
  }
  if (getruncount() !== 1) throw new Error(`${getruncount() - 1} tasklets still runnable`);
}

t.test('property: random trees of scopes keep every guarantee', (t) => {
  fc.assert(
    fc.property(trees(false), (body) => checkRun(runTree(body) as Run)),
    { numRuns: 400, seed: 20261218 },
  );
  t.pass('400 random trees');
  t.end();
});

t.test('property: with sleeps and timed scopes, in a tasklet, under a time budget', async (t) => {
  await fc.assert(
    fc.asyncProperty(trees(true), async (body) => checkRun(await runTree(body, 15))),
    { numRuns: 120, seed: 20261219 },
  );
  t.pass('120 random trees with timers');
  t.end();
});
