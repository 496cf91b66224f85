// Python greenlet's test_generator and test_generator_nested, plus the
// standard Generator protocol (return, throw, iteration) for deep generators.
import t from 'tap';
import { GreenletError } from '@stackless/greenlet';
import { generator, yieldValue } from '@stackless/generator';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

checkGreenletsAfterEach(t);

const count = generator((n: number) => {
  for (let i = 0; i < n; i++) yieldValue(i);
});

t.test('test_generator: a simple generator, run several times', (t) => {
  const seen: unknown[] = [];
  for (let k = 0; k < 3; k++) for (const j of count(5)) seen.push(j);
  t.same(seen, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  t.end();
});

t.test('helpers yield from any depth of nested calls', (t) => {
  type Tree = number | Tree[];
  function walk(tree: Tree): void {
    if (Array.isArray(tree)) for (const node of tree) walk(node);
    else yieldValue(tree);
  }
  const leaves = generator((tree: Tree) => walk(tree));
  t.same([...leaves([1, [2, [3, [4, [5]]]], 6])], [1, 2, 3, 4, 5, 6]);
  t.same(Array.from(leaves([[[[[7]]]]])), [7]);
  t.end();
});

t.test('test_layered_genlets: level 2 yields past the enclosing generator', (t) => {
  const gr1 = generator((n: number) => {
    for (let ii = 1; ii < n; ii++) {
      yieldValue(ii);
      yieldValue(ii * ii, 2);
    }
  });
  const gr2 = generator((n: number, seen: unknown[]) => {
    for (const ii of gr1(n)) seen.push(ii);
  });
  const seen: unknown[] = [];
  for (const ii of gr2(5, seen)) seen.push(ii);
  t.same(seen, [1, 1, 2, 4, 3, 9, 4, 16]);
  t.end();
});

t.test('test_permutations: recursive generators consuming themselves', (t) => {
  const perms = generator((items: number[]): void => {
    if (items.length > 1) {
      for (const e of items) {
        for (const p of perms(items.filter((x) => x !== e)) as Generator<number[]>) {
          yieldValue([e, ...p]);
        }
      }
    } else {
      yieldValue(items);
    }
  });
  const all = [...perms([1, 2, 3, 4])] as number[][];
  t.equal(all.length, 24);
  t.equal(new Set(all.map((p) => p.join(''))).size, 24);
  t.same(all[0], [1, 2, 3, 4]);
  t.same(all[23], [4, 3, 2, 1]);
  t.end();
});

t.test('zip of two deep generators advanced in turn', (t) => {
  const evens = generator(() => {
    for (let i = 0; i < 10; i += 2) yieldValue(i);
  });
  const odds = generator(() => {
    for (let i = 1; i < 10; i += 2) yieldValue(i);
  });
  const zip = generator((a: Iterator<number>, b: Iterator<number>) => {
    for (;;) {
      const x = a.next();
      const y = b.next();
      if (x.done || y.done) return;
      yieldValue([x.value, y.value]);
    }
  });
  t.same([...zip(evens(), odds())], [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]);
  t.end();
});

t.test('next(value) is what yieldValue returns; the return value ends it', (t) => {
  const echo = generator((first: string) => {
    let received = yieldValue<string>(`started with ${first}`);
    received = yieldValue<string>(`got ${received}`);
    return `finished with ${received}`;
  });
  const it = echo('a');
  t.same(it.next('ignored'), { value: 'started with a', done: false });
  t.same(it.next('b'), { value: 'got b', done: false });
  t.same(it.next('c'), { value: 'finished with c', done: true });
  t.same(it.next('d'), { value: undefined, done: true });
  t.end();
});

t.test('return() unwinds finally blocks at every depth', (t) => {
  const log: string[] = [];
  function helper(): void {
    try {
      yieldValue(1);
      yieldValue(2);
    } finally {
      log.push('helper finally');
    }
  }
  const gen = generator(() => {
    try {
      helper();
    } finally {
      log.push('body finally');
    }
  });
  const it = gen();
  t.same(it.next(), { value: 1, done: false });
  t.same(it.return('early'), { value: 'early', done: true });
  t.same(log, ['helper finally', 'body finally']);
  t.same(it.next(), { value: undefined, done: true });
  t.end();
});

t.test('breaking out of for...of closes the generator', (t) => {
  let closed = false;
  const gen = generator(() => {
    try {
      for (let i = 0; ; i++) yieldValue(i);
    } finally {
      closed = true;
    }
  });
  for (const value of gen()) if (value === 3) break;
  t.ok(closed);
  t.end();
});

t.test('return() of an outer generator also closes a child that yielded past it', (t) => {
  const log: string[] = [];
  const inner = generator(() => {
    try {
      yieldValue('to outer consumer', 2);
    } finally {
      log.push('inner finally');
    }
  });
  const outer = generator(() => {
    try {
      for (const x of inner()) yieldValue(x);
    } finally {
      log.push('outer finally');
    }
  });
  const it = outer();
  t.same(it.next(), { value: 'to outer consumer', done: false });
  t.same(it.return('stop'), { value: 'stop', done: true });
  t.same(log, ['inner finally', 'outer finally']);
  t.end();
});

t.test('throw() raises at the suspension point, where it can be caught', (t) => {
  const gen = generator(() => {
    try {
      yieldValue('ready');
    } catch (error) {
      yieldValue(`caught ${String((error as Error).message ?? error)}`);
    }
    return 'done';
  });
  const it = gen();
  it.next();
  t.same(it.throw(new Error('boom')), { value: 'caught boom', done: false });
  t.same(it.next(), { value: 'done', done: true });

  const plain = gen();
  plain.next();
  let caught: unknown;
  try {
    plain.throw('not an Error');
  } catch (error) {
    caught = error;
  }
  t.equal(caught, undefined, 'the generator caught the value and yielded');
  t.same(plain.next(), { value: 'done', done: true }, 'and goes on from the catch block');
  const uncaught = generator(() => yieldValue(1))();
  uncaught.next();
  t.throws(() => uncaught.throw(new RangeError('out')), RangeError, 'an uncaught error comes back out');
  t.same(uncaught.next(), { value: undefined, done: true });
  t.end();
});

t.test('throw() of a non-Error value reaches the body as that value', (t) => {
  const gen = generator(() => {
    try {
      yieldValue(1);
    } catch (error) {
      return error;
    }
    return 'not thrown';
  });
  const it = gen();
  it.next();
  t.same(it.throw(42), { value: 42, done: true });
  t.end();
});

t.test('throw() and return() before the first next()', (t) => {
  let ran = false;
  const gen = generator(() => {
    ran = true;
    yieldValue(1);
  });
  const a = gen();
  t.throws(() => a.throw(new Error('before start')), { message: 'before start' });
  t.same(a.next(), { value: undefined, done: true });
  const b = gen();
  t.same(b.return('r'), { value: 'r', done: true });
  t.same(b.next(), { value: undefined, done: true });
  t.notOk(ran);
  t.end();
});

t.test('errors in the body propagate to the consumer and end the generator', (t) => {
  const gen = generator(() => {
    yieldValue(1);
    throw new SyntaxError('bad input');
  });
  const it = gen();
  t.same(it.next(), { value: 1, done: false });
  t.throws(() => it.next(), SyntaxError);
  t.same(it.next(), { value: undefined, done: true });
  t.end();
});

t.test('yieldValue outside a generator, bad levels, re-entrancy', (t) => {
  t.throws(() => yieldValue(1), GreenletError);
  const tooDeep = generator(() => yieldValue(1, 2));
  t.throws(() => tooDeep().next(), { name: 'GreenletError', message: /needs 2 enclosing generators/ });
  const badLevel = generator(() => yieldValue(1, 0));
  t.throws(() => badLevel().next(), RangeError);
  let self: Generator | undefined;
  const reentrant = generator(() => self!.next());
  self = reentrant();
  t.throws(() => self!.next(), { name: 'TypeError', message: 'Generator is already running' });
  t.throws(() => generator(42 as never), TypeError);
  t.end();
});

t.test('a real Generator: iterator protocol, toStringTag, helpers where Node has them', (t) => {
  const it = count(3);
  t.equal(it[Symbol.iterator](), it);
  t.equal(Object.prototype.toString.call(it), '[object Generator]');
  t.same([...count(4)], [0, 1, 2, 3]);
  const helpers = it as unknown as { map?: (f: (x: number) => number) => Iterable<number> };
  if (typeof helpers.map === 'function') t.same([...helpers.map((x) => x * 2)], [0, 2, 4]);
  else t.pass('this Node has no iterator helpers');
  t.end();
});

// Borrowed methods refuse a foreign receiver with a message of their own, as
// V8's generators do, not V8's private-field message (issue 14, item 9).
t.test('next, return and throw called on something else are a clear TypeError', (t) => {
  const prototype = Object.getPrototypeOf(count(1)) as Generator;
  const receivers: Array<[unknown, string]> = [
    [{}, 'an instance of Object'],
    [undefined, 'undefined'],
    [null, 'null'],
    [1, '1'],
    ['text', 'a string'],
    [Object.create(null), 'an object'],
    [(function* native() {})(), 'an object'],
  ];
  for (const method of ['next', 'return', 'throw'] as const) {
    for (const [receiver, described] of receivers) {
      t.throws(() => (prototype[method] as (this: unknown, value?: unknown) => unknown).call(receiver, 1), {
        name: 'TypeError',
        message: `Generator.prototype.${method} called on ${described}, not on a generator made by generator()`,
      });
    }
  }
  const it = count(2);
  t.same(prototype.next.call(it), { value: 0, done: false }, 'a real receiver still works');
  t.same(prototype.return.call(it, undefined), { value: undefined, done: true }, 'and return() ends it');
  t.end();
});
