// Python greenlet's test_tracing.py.
import t from 'tap';
import { Greenlet, type TraceEvent, getcurrent, gettrace, settrace } from '@stackless/greenlet';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

checkGreenletsAfterEach(t);

type Seen = [TraceEvent, Greenlet, Greenlet];

function recording(): { events: Seen[]; tracer: (e: TraceEvent, o: Greenlet, g: Greenlet) => void } {
  const events: Seen[] = [];
  return { events, tracer: (event, origin, target) => events.push([event, origin, target]) };
}

t.afterEach(() => {
  settrace(null);
});

t.test('switch events in order, origin and target', (t) => {
  const main = getcurrent();
  const { events, tracer } = recording();
  t.equal(settrace(tracer), null);
  const g = new Greenlet(() => {
    main.switch();
  });
  g.switch();
  g.switch();
  t.same(events.map(([e]) => e), ['switch', 'switch', 'switch', 'switch']);
  t.equal(events[0]![1], main);
  t.equal(events[0]![2], g);
  t.equal(events[1]![1], g);
  t.equal(events[1]![2], main);
  t.equal(events[3]![1], g, 'the finishing greenlet is the origin of the last switch');
  t.end();
});

t.test('throw events, also when the error propagates to the parent', (t) => {
  const main = getcurrent();
  const { events, tracer } = recording();
  const g = new Greenlet(() => {
    main.switch();
  });
  g.switch();
  settrace(tracer);
  t.throws(() => g.throw(new RangeError('x')), RangeError);
  t.same(
    events.map(([e, o, g2]) => [e, o === main, g2 === main]),
    [
      ['throw', true, false],
      ['throw', false, true],
    ],
  );
  t.end();
});

t.test('tracer runs in the target greenlet', (t) => {
  const main = getcurrent();
  const currents: Greenlet[] = [];
  settrace(() => {
    currents.push(getcurrent());
  });
  const g = new Greenlet(() => {
    main.switch();
  });
  g.switch();
  g.switch();
  settrace(null);
  t.same(currents, [g, main, g, main]);
  t.end();
});

t.test('a throwing tracer is removed and its error is thrown in the target', (t) => {
  const main = getcurrent();
  const failure = new Error('tracer failed');
  const g = new Greenlet(() => {
    main.switch();
  });
  g.switch();
  settrace(() => {
    throw failure;
  });
  // The error is thrown in g at its pending switch; g does not catch it, so it
  // reaches main.
  t.throws(() => g.switch(), failure);
  t.equal(gettrace(), null);
  t.ok(g.dead);
  t.end();
});

t.test('settrace returns the previous tracer; same tracer twice', (t) => {
  const a = () => {};
  const b = () => {};
  t.equal(settrace(a), null);
  t.equal(settrace(a), a);
  t.equal(settrace(b), a);
  t.equal(gettrace(), b);
  t.equal(settrace(null), b);
  t.throws(() => settrace(42 as never), TypeError);
  t.end();
});

// The expected events below are what greenlet 2.0.2 (Debian's python3-greenlet)
// reports for the same programs.
t.test('throw into an unstarted greenlet is traced: it starts with the error and dies', (t) => {
  const main = getcurrent();
  const names = new Map<Greenlet, string>([[main, 'main']]);
  const { events, tracer } = recording();
  settrace(tracer);
  const g = new Greenlet(() => t.fail('run is never called'));
  names.set(g, 'g');
  t.throws(() => g.throw(new RangeError('x')), RangeError);
  const h = new Greenlet(() => t.fail('run is never called'));
  names.set(h, 'h');
  t.type(h.throw(), 'GreenletExit');
  settrace(null);
  t.same(
    events.map(([e, o, target]) => [e, names.get(o), names.get(target)]),
    [
      ['throw', 'main', 'g'],
      ['throw', 'g', 'main'],
      ['throw', 'main', 'h'],
      ['switch', 'h', 'main'],
    ],
  );
  t.ok(g.dead && h.dead);
  t.equal(g.run, undefined);
  t.end();
});

t.test('a switch or throw that lands on the running greenlet is traced too', (t) => {
  const main = getcurrent();
  const { events, tracer } = recording();
  const dead = new Greenlet(() => 1);
  dead.switch();
  settrace(tracer);
  t.equal(main.switch(5), 5);
  t.throws(() => dead.throw(new RangeError('to the ancestor, which is main')), RangeError);
  t.type(dead.throw(), 'GreenletExit');
  const g = new Greenlet(() => getcurrent().switch(7));
  t.equal(g.switch(), 7);
  settrace(null);
  t.same(
    events.map(([e, o, target]) => [e, o === main ? 'main' : o === g ? 'g' : '?', target === main ? 'main' : target === g ? 'g' : '?']),
    [
      ['switch', 'main', 'main'],
      ['throw', 'main', 'main'],
      ['switch', 'main', 'main'],
      ['switch', 'main', 'g'],
      ['switch', 'g', 'g'],
      ['switch', 'g', 'main'],
    ],
  );
  t.end();
});
