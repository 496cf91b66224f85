// Behaviours of Python greenlet's test_throw.py.
import t from 'tap';
import { Greenlet, GreenletExit, getcurrent } from '@stackless/greenlet';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

checkGreenletsAfterEach(t);

class IndexError extends Error {
  override name = 'IndexError';
}

t.test('kill: default GreenletExit comes back as a value, even from a dead greenlet', (t) => {
  const main = getcurrent();
  const g = new Greenlet(() => {
    main.switch('ok');
    main.switch('fail');
  });
  t.equal(g.switch(), 'ok');
  const result = g.throw();
  t.ok(result instanceof GreenletExit);
  t.ok(g.dead);
  t.ok(g.throw() instanceof GreenletExit, 'a dead greenlet returns GreenletExit');
  t.end();
});

t.test('an error thrown in is raised at the suspension point and can be caught', (t) => {
  const main = getcurrent();
  const g = new Greenlet(() => {
    try {
      main.switch('ready');
    } catch (error) {
      return `caught ${(error as Error).message}`;
    }
    return 'not caught';
  });
  t.equal(g.switch(), 'ready');
  t.equal(g.throw(new IndexError('value')), 'caught value');
  t.end();
});

t.test('an uncaught thrown error propagates to the parent', (t) => {
  const main = getcurrent();
  const g = new Greenlet(() => {
    main.switch();
  });
  g.switch();
  t.throws(() => g.throw(new IndexError('up')), { name: 'IndexError', message: 'up' });
  t.ok(g.dead);
  t.end();
});

t.test('finally blocks run when killed', (t) => {
  const main = getcurrent();
  const log: string[] = [];
  function inner(): void {
    try {
      main.switch();
    } finally {
      log.push('inner finally');
    }
  }
  const g = new Greenlet(() => {
    try {
      inner();
    } finally {
      log.push('outer finally');
    }
  });
  g.switch();
  t.ok(g.throw() instanceof GreenletExit);
  t.same(log, ['inner finally', 'outer finally']);
  t.end();
});

t.test('throw into an unstarted greenlet: run never runs, the error goes to the parent', (t) => {
  let ran = false;
  const g = new Greenlet(() => {
    ran = true;
  });
  t.ok(g.throw() instanceof GreenletExit);
  t.ok(g.dead);
  // As in greenlet, it starts with the error (and a trace event says so).
  t.ok(g.started);
  t.notOk(ran);
  const h = new Greenlet(() => {
    ran = true;
  });
  t.throws(() => h.throw(new IndexError('no start')), { name: 'IndexError' });
  t.ok(h.dead);
  t.notOk(ran);
  t.equal(h.switch('x'), 'x', 'a dead greenlet passes the switch on to main, the caller');
  t.end();
});

t.test('throw into a dead greenlet: other errors are thrown in the parent', (t) => {
  const g = new Greenlet(() => 1);
  g.switch();
  t.throws(() => g.throw(new IndexError('to dead')), { name: 'IndexError', message: 'to dead' });
  t.end();
});

t.test('throw goes to the original parent (test_throw_goes_to_original_parent)', (t) => {
  const main = getcurrent();
  function f1(): string {
    try {
      main.switch('f1 ready to catch');
    } catch (error) {
      if (error instanceof IndexError) return 'caught';
      throw error;
    }
    return 'normal exit';
  }
  function f2(): void {
    main.switch('from f2');
  }

  let g1 = new Greenlet(f1);
  let g2 = new Greenlet(f2, g1);
  t.throws(() => g2.throw(new IndexError()), { name: 'IndexError' });
  t.ok(g2.dead);
  t.ok(g1.dead);

  g1 = new Greenlet(f1);
  g2 = new Greenlet(f2, g1);
  t.equal(g1.switch(), 'f1 ready to catch');
  t.equal(g2.throw(new IndexError()), 'caught');
  t.ok(g2.dead);
  t.ok(g1.dead);

  g1 = new Greenlet(f1);
  g2 = new Greenlet(f2, g1);
  t.equal(g1.switch(), 'f1 ready to catch');
  t.equal(g2.switch(), 'from f2');
  t.equal(g2.throw(new IndexError()), 'caught');
  t.ok(g2.dead);
  t.ok(g1.dead);
  t.end();
});

t.test('throw takes only Error objects', (t) => {
  const g = new Greenlet(() => 0);
  t.throws(() => g.throw(42 as never), TypeError);
  t.throws(() => g.throw('message' as never), TypeError);
  t.throws(() => g.throw({ message: 'duck' } as never), TypeError);
  t.notOk(g.dead, 'a rejected throw leaves the greenlet alone');
  t.equal(g.switch(), 0);
  t.end();
});

t.test('a greenlet can catch GreenletExit and keep going', (t) => {
  const main = getcurrent();
  const g = new Greenlet(() => {
    try {
      main.switch('first');
    } catch (error) {
      if (!(error instanceof GreenletExit)) throw error;
      main.switch('ignored exit');
    }
    return 'finished';
  });
  t.equal(g.switch(), 'first');
  t.equal(g.throw(), 'ignored exit');
  t.notOk(g.dead);
  t.equal(g.switch(), 'finished');
  t.end();
});

t.test('throwing into the current greenlet throws right there', (t) => {
  const main = getcurrent();
  t.throws(() => main.throw(new IndexError('self')), { name: 'IndexError' });
  t.throws(() => main.throw(), GreenletExit, 'as in Python, even GreenletExit is raised');
  t.end();
});
