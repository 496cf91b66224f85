// Python greenlet's TestGreenletSetParentErrors, and parent-chain delivery.
import t from 'tap';
import { Greenlet, GreenletError, getcurrent } from '@stackless/greenlet';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

checkGreenletsAfterEach(t);

t.test('main greenlet parent is null and cannot be set', (t) => {
  const main = getcurrent();
  t.equal(main.parent, null);
  t.throws(() => {
    main.parent = new Greenlet();
  }, GreenletError);
  t.end();
});

t.test('parent must be a Greenlet', (t) => {
  const g = new Greenlet();
  for (const bad of [null, undefined, 1, 'main', {}, () => 0]) {
    t.throws(() => {
      g.parent = bad as never;
    }, TypeError, `rejects ${String(bad)}`);
  }
  t.throws(() => new Greenlet(() => 0, {} as never), TypeError);
  t.end();
});

t.test('trivial and deeper cycles are refused', (t) => {
  const g1 = new Greenlet();
  const g2 = new Greenlet();
  const g3 = new Greenlet();
  t.throws(() => {
    g1.parent = g1;
  }, { name: 'GreenletError', message: 'cyclic parent chain' });
  g2.parent = g1;
  g3.parent = g2;
  t.throws(() => {
    g1.parent = g3;
  }, { name: 'GreenletError', message: 'cyclic parent chain' });
  t.equal(g1.parent, getcurrent(), 'a refused parent leaves the old one');
  t.end();
});

t.test('reparenting redirects the result', (t) => {
  const main = getcurrent();
  const collector = new Greenlet((value: unknown) => `collected ${String(value)}`);
  const g = new Greenlet(() => 'result');
  g.parent = collector;
  t.equal(g.switch(), 'collected result');
  t.ok(collector.dead);
  t.equal(collector.parent, main);
  t.end();
});

t.test('reparenting a running greenlet takes effect when it ends', (t) => {
  const main = getcurrent();
  const log: unknown[] = [];
  const catcher = new Greenlet(() => {
    log.push(main.switch('catcher ready'));
    return 'catcher done';
  });
  t.equal(catcher.switch(), 'catcher ready');
  const g = new Greenlet(() => {
    getcurrent().parent = catcher;
    return 'to catcher';
  });
  t.equal(g.switch(), 'catcher done');
  t.same(log, ['to catcher']);
  t.end();
});
