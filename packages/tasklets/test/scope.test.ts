// scope(), checked against Trio's nursery (the block waits for every child;
// the first exception cancels the rest, which see Cancelled at their
// checkpoints; several exceptions come as one group), asyncio's TaskGroup
// (a failing task cancels its siblings; errors are never "never retrieved")
// and Go's errgroup.WithContext (the first error cancels the context).
import t from 'tap';
import {
  DeadlockError,
  Event,
  Lock,
  SchedulerError,
  Scope,
  Semaphore,
  TaskletExit,
  TimeoutError,
  events,
  finished,
  getcurrent,
  run,
  schedule,
  scheduleRemove,
  scope,
  sleep,
  tasklet,
  wait,
  type Tasklet,
} from '@stackless/tasklets';
import { checkTaskletsAfterEach } from '@stackless/test-support/tasklets';

checkTaskletsAfterEach(t);

/** Runs `fn` in a tasklet (timers and promises need main's event loop) and resolves with its result. */
async function inTasklet<T>(fn: () => T): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  const task = tasklet(() => {
    try {
      outcome = { value: fn() };
    } catch (error) {
      outcome = { error };
    }
  })();
  await finished([task]);
  if (outcome === undefined) throw new Error('the tasklet did not end normally');
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/** Collects what would be reported as uncaught while `fn` runs. */
function uncaughtDuring(fn: () => void): unknown[] {
  const reported: unknown[] = [];
  const onError = (error: unknown) => reported.push(error);
  events.on('error', onError);
  try {
    fn();
  } finally {
    events.off('error', onError);
  }
  return reported;
}

t.test('scope() returns the body value once every child has ended', (t) => {
  const log: string[] = [];
  let children: Tasklet[] = [];
  const value = scope((s) => {
    children = [1, 2, 3].map((n) =>
      s.spawn((rounds: number) => {
        for (let i = 0; i < rounds; i++) schedule();
        log.push(`child ${n}`);
      }, n),
    );
    log.push('body done');
    return 'value';
  });
  t.equal(value, 'value');
  t.same(log, ['body done', 'child 1', 'child 2', 'child 3']);
  t.ok(children.every((c) => !c.alive), 'no child outlives its scope');
  t.end();
});

t.test('children start at the end of the run queue, in spawn order, and join() gives their results', (t) => {
  const order: string[] = [];
  const results = scope((s) => {
    const a = s.spawn(() => (order.push('a'), 'A'));
    const b = s.spawn(() => (order.push('b'), 'B'));
    order.push('body');
    return [b.join(), a.join()];
  });
  t.same(order, ['body', 'a', 'b']);
  t.same(results, ['B', 'A']);
  t.end();
});

t.test('the first error kills the siblings where they are suspended, runs their finally blocks, and propagates', (t) => {
  const log: string[] = [];
  const boom = new RangeError('boom');
  const event = new Event();
  const lock = new Lock();
  lock.acquire();
  const sem = new Semaphore(0);
  let unstarted: Tasklet | undefined;
  const sleeper = (label: string, block: () => void) => () => {
    try {
      block();
      log.push(`${label} woke normally`);
    } catch (error) {
      log.push(`${label}: ${error instanceof TaskletExit ? 'TaskletExit' : String(error)}`);
      throw error;
    } finally {
      log.push(`${label} finally`);
    }
  };
  const reported = uncaughtDuring(() => {
    t.throws(
      () =>
        scope((s) => {
          s.spawn(sleeper('event', () => event.wait()));
          s.spawn(sleeper('lock', () => lock.acquire()));
          s.spawn(sleeper('semaphore', () => sem.acquire()));
          const target = s.spawn(() => {
            for (;;) schedule();
          });
          s.spawn(sleeper('join', () => target.join()));
          s.spawn(
            sleeper('schedule', () => {
              for (;;) schedule();
            }),
          );
          s.spawn(() => {
            throw boom;
          });
          unstarted = s.spawn(() => log.push('unstarted ran'));
        }),
      boom,
    );
  });
  t.same(reported, [], 'the error went to the scope only');
  for (const label of ['event', 'lock', 'semaphore', 'join', 'schedule']) {
    t.ok(log.includes(`${label}: TaskletExit`), `${label}: TaskletExit at its suspension point`);
    t.ok(log.includes(`${label} finally`), `${label}: finally ran`);
  }
  t.notOk(log.includes('unstarted ran'), 'a child that never started dies without running');
  t.notOk(unstarted!.alive);
  t.ok(lock.locked, 'the lock stays with main');
  lock.release();
  t.notOk(lock.locked, 'and nobody was handed it');
  t.equal(sem.value, 0);
  t.end();
});

t.test('the error of the body cancels the children too', (t) => {
  const log: string[] = [];
  const boom = new Error('body');
  t.throws(
    () =>
      scope((s) => {
        s.spawn(() => {
          try {
            new Event().wait();
          } finally {
            log.push('child finally');
          }
        });
        schedule();
        throw boom;
      }),
    boom,
  );
  t.same(log, ['child finally']);
  t.end();
});

t.test('several errors come as an AggregateError, in the order they were thrown', (t) => {
  const first = new Error('first');
  const second = new Error('second, from a finally block during the cancellation');
  const third = new Error('third, from the body');
  let caught: unknown;
  const reported = uncaughtDuring(() => {
    try {
      scope((s) => {
        s.spawn(() => {
          try {
            new Event().wait();
          } finally {
            // eslint-disable-next-line no-unsafe-finally
            throw second;
          }
        });
        s.spawn(() => {
          throw first;
        });
        try {
          new Event().wait();
        } catch {
          throw third;
        }
      });
    } catch (error) {
      caught = error;
    }
  });
  t.type(caught, AggregateError);
  // The child woken first by the cancellation throws before the body does.
  t.same((caught as AggregateError).errors, [first, second, third]);
  t.same(reported, [], 'none reported as uncaught');
  t.end();
});

t.test('a child error is delivered once even when the body joined it', (t) => {
  const boom = new Error('boom');
  const seen: unknown[] = [];
  const reported = uncaughtDuring(() => {
    try {
      scope((s) => {
        const child = s.spawn(() => {
          schedule();
          throw boom;
        });
        try {
          child.join();
        } catch (error) {
          seen.push(['joiner', error]);
        }
      });
    } catch (error) {
      seen.push(['scope', error]);
    }
  });
  // As asyncio's TaskGroup: the awaiting code sees it, and so does the group.
  t.same(seen, [
    ['joiner', boom],
    ['scope', boom],
  ]);
  t.same(reported, []);
  t.end();
});

t.test('s.cancel() returns at once; the children are killed and scope() returns undefined', (t) => {
  const log: string[] = [];
  const value = scope((s) => {
    s.spawn(() => {
      try {
        new Event().wait();
      } finally {
        log.push('child finally');
      }
    });
    schedule();
    s.cancel();
    log.push('cancel returned');
    t.ok(s.cancelled);
    t.ok(s.signal.aborted);
    t.type(s.signal.reason, DOMException);
    schedule(); // not a cancellation point
    log.push('schedule() went on');
    try {
      sleep(1000); // to come: throws at once, without blocking
    } catch (error) {
      log.push(error instanceof TaskletExit ? 'sleep: TaskletExit' : String(error));
      throw error;
    }
    return 'not this';
  });
  t.equal(value, undefined);
  t.same(log, ['cancel returned', 'child finally', 'schedule() went on', 'sleep: TaskletExit']);
  t.end();
});

t.test('cancelling wakes the body where it blocks, from a child', async (t) => {
  const log: string[] = [];
  const value = await inTasklet(() =>
    scope((s) => {
      s.spawn(() => {
        sleep(5);
        s.cancel();
      });
      try {
        sleep(10_000);
      } finally {
        log.push('body finally');
      }
    }),
  );
  t.equal(value, undefined);
  t.same(log, ['body finally']);
  t.end();
});

t.test('a child cancelling its own scope meets TaskletExit at its next blocking operation', (t) => {
  const log: string[] = [];
  scope((s) => {
    s.spawn(() => {
      s.cancel();
      log.push('went on');
      try {
        new Event().wait();
      } catch (error) {
        log.push(error instanceof TaskletExit ? 'TaskletExit' : 'other');
      }
    });
  });
  t.same(log, ['went on', 'TaskletExit']);
  t.end();
});

t.test('timeout: the scope is cancelled and throws TimeoutError; finally blocks ran', async (t) => {
  const log: string[] = [];
  const started = performance.now();
  await t.rejects(
    inTasklet(() =>
      scope(
        (s) => {
          s.spawn(() => {
            try {
              sleep(10_000);
            } finally {
              log.push('child finally');
            }
          });
          try {
            sleep(10_000);
          } finally {
            log.push('body finally');
          }
        },
        { timeout: 20 },
      ),
    ),
    TimeoutError,
  );
  t.ok(performance.now() - started < 5000, 'long before the sleeps would end');
  t.same(log.sort(), ['body finally', 'child finally']);
  // A scope that ends in time returns its value; its timer is stopped.
  t.equal(await inTasklet(() => scope(() => 'quick', { timeout: 10 })), 'quick');
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.end();
});

t.test('signal: an outside AbortController cancels the scope; scope() throws signal.reason', async (t) => {
  const controller = new AbortController();
  const reason = new Error('shutting down');
  setTimeout(() => controller.abort(reason), 10);
  const log: string[] = [];
  await t.rejects(
    inTasklet(() =>
      scope(
        (s) => {
          s.spawn(() => {
            try {
              sleep(10_000);
            } finally {
              log.push('child finally');
            }
          });
          s.signal.addEventListener('abort', () => log.push(`s.signal: ${(s.signal.reason as Error).message}`));
          new Event().wait();
        },
        { signal: controller.signal },
      ),
    ),
    reason,
  );
  t.same(log, ['s.signal: shutting down', 'child finally']);
  let ran = false;
  t.throws(
    () =>
      scope(
        () => {
          ran = true;
        },
        { signal: controller.signal },
      ),
    reason,
    'aborted already',
  );
  t.notOk(ran, 'the body did not run');
  t.end();
});

t.test('wait(promise) is cancelled with the scope, and s.signal aborts the async work', async (t) => {
  const log: string[] = [];
  // What fetch(url, { signal }) does: it rejects when the signal aborts.
  const slowFetch = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve('response'), 10_000);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        log.push('request aborted');
        reject(signal.reason);
      });
    });
  await t.rejects(
    inTasklet(() =>
      scope(
        (s) => {
          s.spawn(() => {
            try {
              wait(slowFetch(s.signal));
            } catch (error) {
              log.push(error instanceof TaskletExit ? 'wait: TaskletExit' : String(error));
              throw error;
            }
          });
        },
        { timeout: 10 },
      ),
    ),
    TimeoutError,
  );
  // s.signal's listeners run as the scope is cancelled; the tasklet when it is scheduled.
  t.same(log, ['request aborted', 'wait: TaskletExit']);
  t.end();
});

t.test('scopes nest: cancelling the outer one cancels the inner ones, which throw TaskletExit', (t) => {
  const log: string[] = [];
  const value = scope((outer) => {
    outer.spawn(() => {
      try {
        scope((inner) => {
          inner.spawn(() => {
            try {
              new Event().wait();
            } finally {
              log.push('grandchild finally');
            }
          });
          new Event().wait();
        });
        log.push('inner returned');
      } catch (error) {
        log.push(error instanceof TaskletExit ? 'inner threw TaskletExit' : String(error));
        throw error;
      }
    });
    try {
      scope((inner) => {
        inner.spawn(() => {
          try {
            new Lock().acquire();
            new Event().wait();
          } finally {
            log.push('body-inner child finally');
          }
        });
        schedule(); // the children start and block
        schedule(); // and the grandchild
        outer.cancel();
        new Event().wait();
      });
    } catch (error) {
      log.push(error instanceof TaskletExit ? 'body inner threw TaskletExit' : String(error));
      throw error;
    }
  });
  t.equal(value, undefined, 'the outer scope was cancelled without an error');
  t.same(log.sort(), ['body inner threw TaskletExit', 'body-inner child finally', 'grandchild finally', 'inner threw TaskletExit'].sort());
  t.end();
});

t.test('an inner error propagates through the outer scope', (t) => {
  const boom = new Error('deep');
  const log: string[] = [];
  t.throws(
    () =>
      scope((outer) => {
        outer.spawn(() => {
          try {
            new Event().wait();
          } finally {
            log.push('outer child finally');
          }
        });
        scope((inner) => {
          inner.spawn(() => {
            schedule();
            throw boom;
          });
        });
        log.push('not reached');
      }),
    boom,
  );
  t.same(log, ['outer child finally']);
  t.end();
});

t.test('cancelling an inner scope leaves the outer one alone', (t) => {
  const value = scope((outer) => {
    const sibling = outer.spawn(() => {
      schedule();
      return 'sibling';
    });
    const inner = scope((inner) => {
      inner.spawn(() => new Event().wait());
      schedule();
      inner.cancel();
      return 'x';
    });
    t.equal(inner, undefined);
    t.notOk(outer.cancelled);
    return sibling.join();
  });
  t.equal(value, 'sibling');
  t.end();
});

t.test('spawn() in a cancelled scope: the child dies without running; after the end: SchedulerError', (t) => {
  let kept: Scope | undefined;
  let late: Tasklet | undefined;
  let ran = false;
  scope((s) => {
    kept = s;
    s.cancel();
    late = s.spawn(() => {
      ran = true;
    });
  });
  t.notOk(ran);
  t.notOk(late!.alive);
  t.throws(() => kept!.spawn(() => {}), SchedulerError);
  t.doesNotThrow(() => kept!.cancel(), 'cancelling an ended scope does nothing');
  t.end();
});

t.test("kill() of the body's tasklet kills the children, and the TaskletExit goes on", (t) => {
  const log: string[] = [];
  const outer = tasklet(() => {
    try {
      scope((s) => {
        s.spawn(() => {
          try {
            new Event().wait();
          } finally {
            log.push('child finally');
          }
        });
        new Event().wait();
      });
      log.push('not reached');
    } catch (error) {
      log.push(error instanceof TaskletExit ? 'TaskletExit went on' : String(error));
      throw error;
    }
  })();
  run();
  outer.kill();
  run();
  t.same(log, ['child finally', 'TaskletExit went on']);
  t.notOk(outer.alive);
  t.end();
});

t.test('a deadlock inside a scope cancels it: DeadlockError comes out, the children are gone', (t) => {
  const log: string[] = [];
  let caught: unknown;
  try {
      scope((s) => {
        for (const n of [1, 2]) {
          s.spawn(() => {
            try {
              new Event().wait();
            } finally {
              log.push(`child ${n} finally`);
            }
          });
        }
      });
  } catch (error) {
    caught = error;
  }
  // The last child to block finds nobody left to wake anybody (main waits in
  // the scope); its DeadlockError cancels the scope, which kills the other.
  t.type(caught, DeadlockError);
  t.same(log, ['child 2 finally', 'child 1 finally']);
  t.end();
});

t.test('the children of a scope from main may not wait for the event loop (main runs it)', (t) => {
  let caught: unknown;
  try {
    scope((s) => {
      s.spawn(() => sleep(1));
    });
  } catch (error) {
    caught = error;
  }
  t.type(caught, DeadlockError);
  t.end();
});

t.test('plain tasklets made inside a scope are not its children', async (t) => {
  let free: Tasklet | undefined;
  scope((s) => {
    free = tasklet(() => {
      schedule();
      return 'free';
    })();
    s.cancel();
  });
  t.ok(free!.alive, 'not cancelled');
  run();
  t.equal(free!.join(), 'free');
  t.end();
});

t.test('scope() checks its input', (t) => {
  t.throws(() => scope(null as never), TypeError);
  t.throws(() => scope(() => {}, null as never), TypeError);
  t.throws(() => scope(() => {}, { timeout: -1 }), RangeError);
  t.throws(() => scope(() => {}, { timeout: Infinity }), RangeError);
  t.throws(() => scope(() => {}, { signal: {} as AbortSignal }), TypeError);
  t.throws(() => scope((s) => s.spawn('x' as never)), TypeError);
  t.throws(() => new (Scope as unknown as new () => Scope)(), TypeError);
  t.equal(getcurrent().isMain, true);
  t.end();
});

t.test('a timeout, then a child failing while being cancelled: AggregateError, the TimeoutError first', async (t) => {
  const late = new Error('failed in its finally block');
  let caught: unknown;
  try {
    await inTasklet(() =>
      scope(
        (s) => {
          s.spawn(() => {
            try {
              sleep(10_000);
            } finally {
              // eslint-disable-next-line no-unsafe-finally
              throw late;
            }
          });
        },
        { timeout: 10 },
      ),
    );
  } catch (error) {
    caught = error;
  }
  t.type(caught, AggregateError);
  const errors = (caught as AggregateError).errors;
  t.type(errors[0], TimeoutError);
  t.equal(errors[1], late);
  t.equal(errors.length, 2);
  t.end();
});

t.test('a failure a join delivered is not lost when the joiner is cancelled before it runs', (t) => {
  const boom = new Error('joined');
  const other = new Error('the sibling');
  let caught: unknown;
  try {
    scope((s) => {
      const target = s.spawn(() => {
        schedule();
        throw boom;
      });
      s.spawn(() => {
        try {
          target.join();
        } catch (error) {
          // The joiner received the failure (it was woken with it when the
          // scope's cancellation came): rethrowing it is the joiner's choice.
          t.equal(error, boom);
          throw other;
        }
      });
    });
  } catch (error) {
    caught = error;
  }
  t.type(caught, AggregateError);
  t.same((caught as AggregateError).errors, [boom, other]);
  t.end();
});

t.test('an uncaught error of an unrelated tasklet, raised in main while it waits in a scope, cancels the scope and comes out', (t) => {
  const stray = new Error('a plain tasklet failed');
  const log: string[] = [];
  t.throws(
    () =>
      scope((s) => {
        s.spawn(() => {
          try {
            schedule();
            schedule();
            new Event().wait();
          } finally {
            log.push('child finally');
          }
        });
        tasklet(() => {
          throw stray;
        })();
      }),
    stray,
  );
  t.same(log, ['child finally']);
  t.end();
});

t.test('a paused child (scheduleRemove) is killed too', (t) => {
  const log: string[] = [];
  scope((s) => {
    s.spawn(() => {
      try {
        scheduleRemove();
        log.push('resumed normally');
      } catch (error) {
        log.push(error instanceof TaskletExit ? 'TaskletExit' : String(error));
      }
    });
    schedule();
    s.cancel();
  });
  t.same(log, ['TaskletExit']);
  t.end();
});

t.test('a timeout passing after s.cancel(), while a child still cleans up, changes nothing', async (t) => {
  let cleanedUp = false;
  const value = await inTasklet(() =>
    scope(
      (s) => {
        s.spawn(() => {
          try {
            new Event().wait();
          } finally {
            // Clean-up that outlasts the timeout: the scheduler lets the
            // event loop (and so the scope's timer) run between slices.
            const until = performance.now() + 60;
            while (performance.now() < until) schedule();
            cleanedUp = true;
          }
        });
        schedule();
        s.cancel();
        return 'cancelled';
      },
      { timeout: 10 },
    ),
  );
  t.ok(cleanedUp);
  t.equal(value, undefined, 'cancelled, not timed out');
  t.end();
});
