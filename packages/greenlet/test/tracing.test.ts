// Python greenlet's test_tracing.py.
import t from 'tap';
import { Greenlet, type TraceEvent, getcurrent, gettrace, settrace } from '@stackless/greenlet';

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

t.test('no event for switching to oneself', (t) => {
  const { events, tracer } = recording();
  settrace(tracer);
  getcurrent().switch(1);
  t.same(events, []);
  t.end();
});
