// Suspending a greenlet while native frames are on its stack: V8 builtins,
// V8's C++ runtime, Node's C++ and WebAssembly (the idea of Python greenlet's
// test_cpp). Each case suspends inside a callback that native code called,
// forces a full GC while suspended, and checks the native caller resumes with
// the value sent back.
import t from 'tap';
import { EventEmitter } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

checkGreenletsAfterEach(t);

setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Runs `body` in a greenlet; each call of `pause(x)` inside it suspends the
 * greenlet, which main answers with x * 10 after a full GC.
 */
function throughNative<T>(body: (pause: (x: number) => number) => T): T {
  const main = getcurrent();
  const pause = (x: number) => main.switch(x) as number;
  const g = new Greenlet(body);
  let request = g.switch(pause);
  while (!g.dead) {
    gc();
    request = g.switch((request as number) * 10);
  }
  return request as T;
}

t.test('Array.prototype.map, sort, reduce and Array.from (builtins)', (t) => {
  t.same(throughNative((pause) => [1, 2, 3].map((x) => pause(x))), [10, 20, 30]);
  t.same(
    throughNative((pause) => [3, 1, 2].sort((a, b) => pause(a - b))),
    [1, 2, 3],
  );
  t.equal(throughNative((pause) => [1, 2, 3].reduce((sum, x) => sum + pause(x), 0)), 60);
  const iterable = {
    *[Symbol.iterator]() {
      yield 1;
      yield 2;
    },
  };
  t.same(throughNative((pause) => Array.from(iterable, (x) => pause(x))), [10, 20]);
  t.end();
});

t.test('JSON.parse reviver and JSON.stringify replacer (C++ runtime)', (t) => {
  t.same(
    throughNative((pause) => JSON.parse('{"a":1,"b":[2]}', (_key, value) => (typeof value === 'number' ? pause(value) : value))),
    { a: 10, b: [20] },
  );
  t.equal(
    throughNative((pause) => JSON.stringify({ a: 1, b: 2 }, (_key, value) => (typeof value === 'number' ? pause(value) : value))),
    '{"a":10,"b":20}',
  );
  t.end();
});

t.test('String.prototype.replace with a function (regexp runtime)', (t) => {
  t.equal(throughNative((pause) => 'a1b2'.replace(/\d/g, (digit) => String(pause(Number(digit))))), 'a10b20');
  t.end();
});

t.test('Proxy traps and accessors called by the runtime', (t) => {
  const target = { x: 1, y: 2 };
  t.same(
    throughNative((pause) => {
      const proxy = new Proxy(target, {
        get: (object, key) => pause(Reflect.get(object, key) as number),
        ownKeys: (object) => {
          pause(0);
          return Reflect.ownKeys(object);
        },
      });
      return [Object.keys(proxy), proxy.x, proxy.y];
    }),
    [['x', 'y'], 10, 20],
  );
  t.equal(
    throughNative((pause) => {
      const object = {
        get value() {
          return pause(4);
        },
      };
      return Object.entries(object)[0]![1];
    }),
    40,
  );
  t.end();
});

t.test('constructors, bound functions, Reflect and Promise executors', (t) => {
  class Box {
    value: number;
    constructor(x: number, pause: (x: number) => number) {
      this.value = pause(x);
    }
  }
  t.equal(throughNative((pause) => Reflect.construct(Box, [5, pause]).value), 50);
  t.equal(throughNative((pause) => pause.bind(null, 6)()), 60);
  t.equal(
    throughNative((pause) => {
      let seen = 0;
      void new Promise<void>((resolve) => {
        seen = pause(7);
        resolve();
      });
      return seen;
    }),
    70,
  );
  t.end();
});

t.test('generators inside a greenlet and EventEmitter listeners', (t) => {
  t.same(
    throughNative((pause) => {
      function* numbers() {
        yield pause(1);
        yield pause(2);
      }
      return [...numbers()];
    }),
    [10, 20],
  );
  t.same(
    throughNative((pause) => {
      const emitter = new EventEmitter();
      const seen: number[] = [];
      emitter.on('n', (n: number) => seen.push(pause(n)));
      emitter.emit('n', 1);
      emitter.emit('n', 2);
      return seen;
    }),
    [10, 20],
  );
  t.end();
});

t.test("vm.runInNewContext: suspended inside Node's C++ frames", (t) => {
  t.equal(
    throughNative((pause) => vm.runInNewContext('pause(1) + pause(2)', { pause }) as number),
    30,
  );
  t.end();
});

t.test('WebAssembly calling an imported function that suspends', (t) => {
  // (module (import "env" "f" (func $f (param i32) (result i32)))
  //   (func (export "g") (param i32) (result i32)
  //     (i32.add (call $f (local.get 0)) (i32.const 1))))
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07,
    0x05, 0x01, 0x01, 0x67, 0x00, 0x01, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x20, 0x00, 0x10, 0x00, 0x41,
    0x01, 0x6a, 0x0b,
  ]);
  const module = new WebAssembly.Module(bytes);
  t.equal(
    throughNative((pause) => {
      const instance = new WebAssembly.Instance(module, { env: { f: (x: number) => pause(x) } });
      return (instance.exports.g as (x: number) => number)(4);
    }),
    41,
  );
  t.end();
});

t.test('exceptions thrown through native frames after resuming', (t) => {
  const main = getcurrent();
  const g = new Greenlet(() =>
    [1, 2].map((x) => {
      main.switch(x);
      throw new RangeError(`thrown from map callback ${x}`);
    }),
  );
  g.switch();
  gc();
  t.throws(() => g.switch(), { name: 'RangeError', message: 'thrown from map callback 1' });
  t.end();
});
