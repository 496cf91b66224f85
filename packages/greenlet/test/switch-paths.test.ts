// `Greenlet#switch` has transfer() inlined by hand (see greenlet.ts), and
// `throw()` goes through transfer(): two copies of one switch. Every scenario
// here runs through both, a value sent by switch() and an error by throw(),
// and both must reach the same greenlet, traced the same way, leaving the
// same state behind. The expectations are Python greenlet's (test_greenlet.py,
// test_throw.py, test_tracing.py).
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Greenlet, GreenletError, type TraceEvent, getcurrent, settrace } from '@stackless/greenlet';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

checkGreenletsAfterEach(t);

t.afterEach(() => {
  settrace(null);
});

const main = getcurrent();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Path = 'switch' | 'throw';

/** Sends `message` to `target` by the given path: as a value, or as an Error with that message. */
function send(path: Path, target: Greenlet, message: string): unknown {
  return path === 'switch' ? target.switch(message) : target.throw(new Error(message));
}

/** What a greenlet got back from a switch, whichever way it came: the value or the error's message. */
function received(action: () => unknown): string {
  try {
    return `value ${String(action())}`;
  } catch (error) {
    return `error ${(error as Error).message}`;
  }
}

/** The trace of `action`, with each greenlet named and the event named by the path it took. */
function traced(names: Map<Greenlet, string>, action: () => void): string[] {
  const events: string[] = [];
  settrace((event: TraceEvent, origin: Greenlet, target: Greenlet) => {
    events.push(`${event} ${names.get(origin) ?? '?'}->${names.get(target) ?? '?'}`);
  });
  try {
    action();
  } finally {
    settrace(null);
  }
  return events;
}

/** The path's own word in a trace, so both paths can be compared with one expectation. */
function eventOf(path: Path): string {
  return path === 'switch' ? 'switch' : 'throw';
}

/** Parks until unwound, then says so. Made outside any scope that holds its greenlet. */
function parkUntilUnwound(seen: { unwound: boolean }): void {
  try {
    main.switch();
  } finally {
    seen.unwound = true;
  }
}

/** A greenlet, parked, then a switch to it refused inside a join; nothing holds it after. */
function refuseInJoin(path: Path, seen: { unwound: boolean }): void {
  const target = new Greenlet(parkUntilUnwound);
  target.switch(seen);
  const inJoin = [{ toString: () => String(send(path, target, 'from the join')) }];
  try {
    inJoin.join();
  } catch (error) {
    if (!(error instanceof GreenletError)) throw error;
    // Formatting the trace lets go of its frames' receivers, the target among them.
    void error.stack;
    return;
  }
  throw new Error('the switch inside the join was not refused');
}

for (const path of ['switch', 'throw'] as const) {
  const event = eventOf(path);
  const payload = (message: string): string => (path === 'switch' ? `value ${message}` : `error ${message}`);

  t.test(`${path}: to a dead greenlet goes to its nearest live ancestor`, (t) => {
    const log: string[] = [];
    let dead: Greenlet | undefined;
    const parent = new Greenlet(() => {
      dead = new Greenlet(() => 'dead done');
      log.push(`parent got ${received(() => dead!.switch())}`);
      log.push(`parent got ${received(() => main.switch('parent waiting'))}`);
      return 'parent done';
    });
    t.equal(parent.switch(), 'parent waiting');
    t.ok(dead!.dead, 'its child ended, its result going to the parent');
    const names = new Map([
      [main, 'main'],
      [parent, 'parent'],
      [dead!, 'dead'],
    ]);
    const events = traced(names, () => {
      t.equal(send(path, dead!, 'to the dead'), 'parent done', 'the ancestor ran to its end');
    });
    t.same(log, ['parent got value dead done', `parent got ${payload('to the dead')}`], 'the dead greenlet\'s parent got what was sent');
    t.same(events, [`${event} main->parent`, 'switch parent->main']);
    t.ok(parent.dead);
    t.end();
  });

  t.test(`${path}: to the running greenlet returns or throws at once, traced`, (t) => {
    const names = new Map([[main, 'main']]);
    const events = traced(names, () => {
      t.equal(received(() => send(path, main, 'to myself')), payload('to myself'));
    });
    t.same(events, [`${event} main->main`], 'Python greenlet traces a switch to itself too');
    const g = new Greenlet(() => received(() => send(path, getcurrent(), 'inside')));
    t.equal(g.switch(), payload('inside'), 'the same in a greenlet that is not main');
    t.end();
  });

  t.test(`${path}: to an unstarted greenlet starts it with the value, or kills it with the error`, (t) => {
    let ran = false;
    const g = new Greenlet((value: unknown) => {
      ran = true;
      return `started with ${String(value)}`;
    });
    const names = new Map([
      [main, 'main'],
      [g, 'g'],
    ]);
    let outcome = '';
    const events = traced(names, () => {
      outcome = received(() => send(path, g, 'first'));
    });
    t.ok(g.dead);
    if (path === 'switch') {
      t.equal(outcome, 'value started with first');
      t.ok(ran);
    } else {
      t.equal(outcome, 'error first', 'the error comes back to the parent');
      t.notOk(ran, 'run never ran');
    }
    t.same(events, [`${event} main->g`, `${event} g->main`], 'an error comes back as a throw');
    t.end();
  });

  t.test(`${path}: refused inside Array.prototype.join, the switch leaves everything as it was`, (t) => {
    const target = new Greenlet(() => {
      let last = received(() => main.switch('target suspended'));
      while (last !== 'value stop') last = received(() => main.switch(`target got ${last}`));
      return 'target done';
    });
    t.equal(target.switch(), 'target suspended');
    const names = new Map([
      [main, 'main'],
      [target, 'target'],
    ]);
    let refusal: unknown;
    const inJoin = [{ toString: () => String(send(path, target, 'from the join')) }];
    const events = traced(names, () => {
      try {
        inJoin.join();
      } catch (error) {
        refusal = error;
      }
    });
    t.type(refusal, GreenletError);
    t.same(events, [], 'no switch happened, so none was traced');
    t.ok(target.active, 'the target is still suspended');
    t.equal(
      target.switch('after'),
      'target got value after',
      'the next switch delivers its own value, not the refused one',
    );
    t.equal(target.switch('stop'), 'target done');
    t.end();
  });

  t.test(`${path}: a switch refused inside a join does not keep its target alive`, async (t) => {
    const seen = { unwound: false };
    refuseInJoin(path, seen);
    for (let attempt = 0; attempt < 50 && !seen.unwound; attempt++) {
      gc();
      await sleep(5);
    }
    t.ok(seen.unwound, 'the unreachable target was unwound');
  });
}
