// Behaviours of Python greenlet's test_greenlet.py that apply to JavaScript.
import t from 'tap';
import { inspect } from 'node:util';
import { Greenlet, GreenletError, GreenletExit, getcurrent } from '@stackless/greenlet';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

checkGreenletsAfterEach(t);

class SomeError extends Error {
  override name = 'SomeError';
}

t.test('simple: control passes back and forth in order', (t) => {
  const main = getcurrent();
  const log: number[] = [];
  const g = new Greenlet(() => {
    log.push(1);
    main.switch();
    log.push(3);
  });
  log.push(0);
  g.switch();
  log.push(2);
  g.switch();
  log.push(4);
  t.same(log, [0, 1, 2, 3, 4]);
  t.ok(g.dead);
  t.end();
});

t.test('suspends from any depth of nested calls', (t) => {
  const main = getcurrent();
  function descend(depth: number): number {
    if (depth === 0) return main.switch('bottom') as number;
    return descend(depth - 1) + 1;
  }
  const g = new Greenlet(() => descend(500));
  t.equal(g.switch(), 'bottom');
  t.equal(g.switch(1), 501);
  t.end();
});

t.test('first switch passes its arguments to run', (t) => {
  const g = new Greenlet((a: unknown, b: unknown, c: unknown) => [a, b, c]);
  t.same(g.switch(1, 'two', { three: 3 }), [1, 'two', { three: 3 }]);
  t.end();
});

t.test('switch value packing: none is undefined, one is the value, several an array', (t) => {
  const main = getcurrent();
  const received: unknown[] = [];
  const g = new Greenlet(() => {
    received.push(main.switch());
    received.push(main.switch());
    received.push(main.switch());
  });
  t.equal(g.switch(), undefined);
  g.switch();
  g.switch('one');
  g.switch(1, 2, 3);
  t.same(received, [undefined, 'one', [1, 2, 3]]);
  t.end();
});

t.test('values passed to the parent when switching up', (t) => {
  const main = getcurrent();
  const g = new Greenlet(() => {
    main.switch();
    main.switch('single');
    main.switch('a', 'b');
  });
  t.equal(g.switch(), undefined);
  t.equal(g.switch(), 'single');
  t.same(g.switch(), ['a', 'b']);
  t.equal(g.switch(), undefined, 'run() ended and returned nothing');
  t.ok(g.dead);
  t.end();
});

t.test('return value of run goes to the parent', (t) => {
  const g = new Greenlet(() => 42);
  t.equal(g.switch(), 42);
  t.ok(g.dead);
  t.end();
});

t.test('exception in run is thrown in the parent at its pending switch', (t) => {
  const g = new Greenlet(() => {
    throw new SomeError('from inside');
  });
  t.throws(() => g.switch(), SomeError);
  t.ok(g.dead);
  t.end();
});

t.test('exception goes to the parent even when another greenlet started it', (t) => {
  const main = getcurrent();
  const log: string[] = [];
  const parent = new Greenlet(() => {
    try {
      main.switch('parent waiting');
    } catch (error) {
      log.push(`parent caught ${(error as Error).message}`);
      return 'parent done';
    }
    return 'parent not reached';
  });
  t.equal(parent.switch(), 'parent waiting');
  const child = new Greenlet(() => {
    throw new SomeError('child failed');
  }, parent);
  t.equal(child.switch(), 'parent done');
  t.same(log, ['parent caught child failed']);
  t.end();
});

t.test('GreenletExit escaping run is returned to the parent as a value', (t) => {
  const exit = new GreenletExit('bye');
  const g = new Greenlet(() => {
    throw exit;
  });
  t.equal(g.switch(), exit);
  t.ok(g.dead);
  t.end();
});

t.test('switching to the current greenlet returns the arguments', (t) => {
  const main = getcurrent();
  t.equal(main.switch(), undefined);
  t.equal(main.switch(5), 5);
  t.same(main.switch(5, 6), [5, 6]);
  const g = new Greenlet(() => getcurrent().switch('self'));
  t.equal(g.switch(), 'self');
  t.end();
});

t.test('switching to a dead greenlet goes to its nearest live ancestor', (t) => {
  const main = getcurrent();
  const dead = new Greenlet(() => 'finished');
  t.equal(dead.switch(), 'finished');
  const g = new Greenlet(() => {
    const answer = dead.switch('to dead');
    return `g got ${String(answer)}`;
  });
  // dead's parent is main: the value lands in main's pending g.switch().
  t.equal(g.switch(), 'to dead');
  t.equal(g.switch('back'), 'g got back');
  t.equal(main.switch('x'), 'x');
  t.end();
});

t.test('dead parent: the result skips it and goes to the grandparent', (t) => {
  const main = getcurrent();
  let child!: Greenlet;
  const parent = new Greenlet(() => {
    child = new Greenlet(() => {
      main.switch('child suspended');
      return 'child result';
    });
    return child.switch();
  });
  t.equal(parent.switch(), 'child suspended');
  t.notOk(parent.dead);
  parent.throw();
  t.ok(parent.dead);
  t.equal(child.switch(), 'child result');
  t.ok(child.dead);
  t.end();
});

t.test('state flags through the lifecycle', (t) => {
  const main = getcurrent();
  const seen: boolean[][] = [];
  const g = new Greenlet(() => {
    seen.push([g.started, g.active, g.dead]);
    main.switch();
  });
  t.same([g.started, g.active, g.dead, g.isMain], [false, false, false, false]);
  g.switch();
  t.same(seen, [[true, true, false]]);
  t.same([g.started, g.active, g.dead], [true, true, false]);
  g.switch();
  t.same([g.started, g.active, g.dead], [true, false, true]);
  t.same([main.started, main.active, main.dead, main.isMain], [true, true, false, true]);
  t.end();
});

t.test('getcurrent tracks the running greenlet', (t) => {
  const main = getcurrent();
  let inside: Greenlet | undefined;
  const g = new Greenlet(() => {
    inside = getcurrent();
  });
  g.switch();
  t.equal(inside, g);
  t.equal(getcurrent(), main);
  t.ok(main.isMain);
  t.end();
});

t.test('parent defaults to the creating greenlet', (t) => {
  const main = getcurrent();
  let nested: Greenlet | undefined;
  const outer = new Greenlet(() => {
    nested = new Greenlet(() => 0);
  });
  outer.switch();
  t.equal(outer.parent, main);
  t.equal(nested?.parent, outer);
  t.equal(main.parent, null);
  t.end();
});

t.test('run is settable until start and undefined afterwards', (t) => {
  const main = getcurrent();
  const g = new Greenlet();
  t.equal(g.run, undefined);
  const fn = () => {
    t.equal(g.run, undefined, 'a running greenlet has no run');
    main.switch();
    return 'ran';
  };
  g.run = fn;
  t.equal(g.run, fn);
  g.switch();
  t.equal(g.run, undefined);
  t.throws(() => {
    g.run = () => 0;
  }, GreenletError);
  t.equal(g.switch(), 'ran');
  t.throws(() => {
    g.run = () => 0;
  }, GreenletError);
  t.end();
});

t.test('run must be a function', (t) => {
  t.throws(() => new Greenlet(42 as never), TypeError);
  const g = new Greenlet();
  t.throws(() => {
    g.run = 'nope' as never;
  }, TypeError);
  t.end();
});

t.test('a greenlet without run fails in its parent with GreenletError', (t) => {
  const g = new Greenlet();
  t.throws(() => g.switch(), GreenletError);
  t.ok(g.dead);
  t.end();
});

t.test('subclass with a run method', (t) => {
  class Adder extends Greenlet {
    offset = 10;
    // A method named run on the subclass, as in Python.
    // @ts-expect-error: the method replaces the accessor for this subclass
    run(value: number): number {
      return value + this.offset;
    }
  }
  const adder = new Adder();
  t.equal(adder.switch(5), 15);
  t.ok(adder.dead);
  t.end();
});

t.test('recursive start-up: a greenlet switching to itself while starting', (t) => {
  const g = new Greenlet(() => {
    const me = getcurrent();
    return me.switch('echo');
  });
  t.equal(g.switch(), 'echo');
  t.end();
});

t.test('result of a finishing greenlet starts an unstarted parent', (t) => {
  const parent = new Greenlet((value: unknown) => `parent started with ${String(value)}`);
  const child = new Greenlet(() => 'child value', parent);
  t.equal(child.switch(), 'parent started with child value');
  t.ok(child.dead);
  t.ok(parent.dead);
  t.end();
});

t.test('thousands of greenlets alive at once, each resumed', (t) => {
  const main = getcurrent();
  const count = 3000;
  const greenlets: Greenlet[] = [];
  for (let i = 0; i < count; i++) {
    const g = new Greenlet((start: number) => {
      let total = start;
      for (;;) {
        const next = main.switch(total) as number | undefined;
        if (next === undefined) return total;
        total += next;
      }
    });
    greenlets.push(g);
    t.equal(g.switch(i), i, 'started') || t.bailout('start failed');
  }
  let ok = true;
  for (let round = 1; round <= 3; round++) {
    for (let i = 0; i < count; i++) ok &&= greenlets[i]!.switch(round) === i + (round * (round + 1)) / 2;
  }
  t.ok(ok, 'every greenlet kept its own state');
  for (let i = 0; i < count; i++) ok &&= greenlets[i]!.switch() === i + 6;
  t.ok(ok, 'every greenlet returned its total');
  t.ok(greenlets.every((g) => g.dead));
  t.end();
});

t.test('util.inspect shows the state', (t) => {
  const main = getcurrent();
  function worker(): void {
    main.switch();
  }
  const g = new Greenlet(worker);
  t.match(inspect(g), /Greenlet \(worker\) <unstarted>/);
  g.switch();
  t.match(inspect(g), /<suspended>/);
  g.switch();
  t.match(inspect(g), /<dead>/);
  t.match(inspect(main), /Greenlet \(main\) <running>/);
  t.end();
});

t.test('switch and throw need a greenlet as this', (t) => {
  const plain = { switch: Greenlet.prototype.switch };
  t.throws(() => plain.switch(), TypeError);
  t.end();
});
