// WorkerChannel's value encoding (packages/channels/src/worker-codec.ts)
// against the reference, the structured clone: for any value, what decodes is
// what v8.deserialize(v8.serialize(value)) gives, down to key order, -0, holes,
// lone surrogates and shared references (compared by v8.serialize's bytes,
// which record all of them); and whatever v8.serialize refuses is refused.
import { isDeepStrictEqual } from 'node:util';
import * as v8 from 'node:v8';
import fc from 'fast-check';
import t from 'tap';
import { WorkerChannel } from '@stackless/channels';
import { decodeValue, encodeValue, rawArrayBufferBytes } from '../packages/channels/dist/worker-codec.js';

const LIMIT = 1 << 20;
const FAST = 0x01;

/** Encodes, copies (as the channel does from its slot), decodes. */
function roundTrip(value: unknown, limit = LIMIT): { value: unknown; fast: boolean } {
  const bytes = encodeValue(value, limit).slice();
  return { value: decodeValue(bytes), fast: bytes[0] === FAST };
}

/**
 * The bytes v8.serialize gives for a structured clone of `value`. Cloned
 * once more, so that an array's elements kind (packed or holey, which V8
 * writes as a dense or a sparse array, but no program can tell apart) is the
 * same on both sides.
 */
const cloneBytes = (value: unknown) => v8.serialize(v8.deserialize(v8.serialize(value)));
const sameAsClone = (value: unknown, decoded: unknown) => Buffer.compare(cloneBytes(decoded), cloneBytes(value)) === 0;

/** Strings of any UTF-16 code units, lone surrogates included. */
const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)) });

t.test('any value decodes as its structured clone (fast-check)', (t) => {
  let fast = 0;
  let runs = 0;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.anything({
          key: fc.oneof(fc.string(), anyUnits, fc.constantFrom('__proto__', '0', '1', '-0', 'length')),
          values: [fc.double(), fc.integer(), anyUnits, fc.boolean(), fc.constant(undefined), fc.constant(null), fc.constant(-0)],
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
          withBoxedValues: true,
        }),
        fc.jsonValue(),
        fc.array(fc.record({ id: fc.integer(), name: anyUnits, score: fc.double() })),
      ),
      (value) => {
        runs++;
        const result = roundTrip(value);
        if (result.fast) fast++;
        return sameAsClone(value, result.value);
      },
    ),
    { numRuns: 3000, seed: 20261203 },
  );
  t.ok(fast > runs / 4, `the fast encoding took ${fast} of ${runs} values (the rest went to v8.serialize)`);
  t.end();
});

t.test('the cases a structured clone treats specially', (t) => {
  const shared = { n: 1 };
  const pair = roundTrip({ a: shared, b: shared });
  const decoded = pair.value as { a: object; b: object };
  t.equal(decoded.a, decoded.b, 'a shared reference stays shared');
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const loop = roundTrip(cyclic).value as Record<string, unknown>;
  t.equal(loop.self, loop, 'a cycle stays a cycle');

  const proto = roundTrip(JSON.parse('{"__proto__": {"x": 1}, "y": 2}'));
  t.ok(proto.fast);
  t.equal(Object.getPrototypeOf(proto.value), Object.prototype, '"__proto__" is an own data property, not the prototype');
  t.same(Object.keys(proto.value as object), ['__proto__', 'y']);

  t.same(Object.keys(roundTrip({ b: 1, 2: 'x', a: 2, 1: 'y' }).value as object), ['1', '2', 'b', 'a'], 'key order');
  t.ok(Object.is(roundTrip(-0).value, -0), '-0');
  t.ok(Number.isNaN(roundTrip(Number.NaN).value), 'NaN');
  const lone = '\ud800x\udfff';
  t.equal(roundTrip(lone).value, lone, 'lone surrogates');
  t.equal(roundTrip('é'.repeat(5000) + '€').value, 'é'.repeat(5000) + '€', 'a long string, Latin-1 and then not');

  const withExtra: unknown[] & { extra?: number } = [1, 2];
  withExtra.extra = 3;
  t.equal((roundTrip(withExtra).value as typeof withExtra).extra, 3, "an array's extra property is kept");
  // eslint-disable-next-line no-sparse-arrays
  const holes = roundTrip([1, , 3]).value as unknown[];
  t.notOk(1 in holes, 'a hole stays a hole');

  let calls = 0;
  const withGetter = () => ({
    get first() {
      calls++;
      delete (this as Record<string, unknown>).second;
      return 1;
    },
    second: 2,
    third: 3,
  });
  const read = roundTrip(withGetter());
  t.ok(read.fast);
  t.equal(calls, 1, 'the getter ran once');
  t.same(read.value, v8.deserialize(v8.serialize(withGetter())), 'a getter is read; a key it deleted is left out, as v8 does');
  t.same(read.value, { first: 1, third: 3 });

  class Point {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const point = roundTrip(new Point(1, 2));
  t.notOk(point.fast);
  t.same(point.value, { x: 1, y: 2 });
  t.equal(Object.getPrototypeOf(point.value), Object.prototype, 'a class instance arrives as a plain object, as from a structured clone');

  const deep: Record<string, unknown> = {};
  let cursor = deep;
  for (let i = 0; i < 200; i++) cursor = cursor.next = {};
  t.ok(sameAsClone(deep, roundTrip(deep).value), 'deep nesting');
  const wide = Array.from({ length: 3000 }, (_, i) => ({ i }));
  t.ok(sameAsClone(wide, roundTrip(wide).value), 'a large array of objects');
  t.end();
});

t.test('values a structured clone refuses are refused; the limit sends large values to v8.serialize', (t) => {
  function args(..._values: unknown[]) {
    // eslint-disable-next-line prefer-rest-params
    return arguments;
  }
  for (const [name, value] of [
    ['a function', { f() {} }],
    ['a symbol', { s: Symbol('s') }],
    ['a proxy', new Proxy({}, {})],
    ['an arguments object', args(1, 2)],
    ['one nested in an array', [1, new Proxy({}, {})]],
  ] as const) {
    t.throws(() => encodeValue(value, LIMIT), `${name} is refused`);
  }
  const text = 'y'.repeat(2000);
  const bytes = encodeValue(text, 1024);
  t.equal(bytes[0], 0xff, 'a value past the limit is v8.serialize output (which the channel then measures)');
  t.equal(decodeValue(bytes.slice()), text);
  // The scratch buffer is reused: a result is valid until the next call.
  const first = encodeValue({ a: 1 }, LIMIT).slice();
  encodeValue({ b: 'other' }, LIMIT);
  t.same(decodeValue(first), { a: 1 });
  t.end();
});

t.test('a setter up the prototype chain is not called on decode: each key becomes an own data property', (t) => {
  let calls = 0;
  Object.defineProperty(Object.prototype, 'polluted', {
    set() {
      calls++;
    },
    configurable: true,
  });
  try {
    const decoded = roundTrip({ polluted: 1, toString: 'own' });
    t.ok(decoded.fast);
    t.equal(calls, 0, 'the setter did not run');
    t.same(Object.getOwnPropertyDescriptors(decoded.value), Object.getOwnPropertyDescriptors(structuredClone({ polluted: 1, toString: 'own' })));
  } finally {
    delete (Object.prototype as Record<string, unknown>).polluted;
  }
  t.end();
});

/** What can be told of an ArrayBuffer's clone: its class, its own keys, its sizes and bytes, or the error's name. */
function describeBuffer(make: () => unknown): unknown {
  try {
    const buffer = make() as ArrayBuffer & { resizable?: boolean; maxByteLength?: number };
    return {
      plain: Object.getPrototypeOf(buffer) === ArrayBuffer.prototype,
      keys: Object.keys(buffer),
      resizable: buffer.resizable,
      maxByteLength: buffer.maxByteLength,
      bytes: Buffer.from(buffer).toString('hex'),
    };
  } catch (error) {
    return (error as Error).name;
  }
}

t.test("an ArrayBuffer sent on its own (raw, or v8.serialize's when resizable, empty or detached) arrives as structuredClone() gives it (fast-check)", async (t) => {
  class Sub extends ArrayBuffer {}
  const channel = new WorkerChannel<ArrayBuffer>({ capacity: 1, slotBytes: 512 });
  const buffers = fc
    .record({
      bytes: fc.uint8Array({ maxLength: 512 }),
      kind: fc.constantFrom('plain', 'subclass', 'resizable', 'detached'),
      extra: fc.boolean(),
      grow: fc.nat({ max: 64 }),
    })
    .map(({ bytes, kind, extra, grow }) => {
      const buffer =
        kind === 'subclass'
          ? new Sub(bytes.length)
          : kind === 'resizable'
            ? new ArrayBuffer(bytes.length, { maxByteLength: bytes.length + grow } as never)
            : new ArrayBuffer(bytes.length);
      new Uint8Array(buffer).set(bytes);
      if (extra) (buffer as ArrayBuffer & { extra?: number }).extra = 1;
      if (kind === 'detached') structuredClone(buffer, { transfer: [buffer] });
      return buffer;
    });
  let raw = 0;
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(buffers, async (buffer) => {
      runs++;
      if (rawArrayBufferBytes(buffer) !== undefined) raw++;
      const expected = describeBuffer(() => structuredClone(buffer));
      let received: unknown;
      try {
        await channel.sendAsync(buffer);
        const got = await channel.receiveAsync();
        received = describeBuffer(() => got);
      } catch (error) {
        received = (error as Error).name;
      }
      return isDeepStrictEqual(received, expected);
    }),
    { numRuns: 500, seed: 20261204 },
  );
  t.ok(raw > runs / 3, `${raw} of ${runs} buffers went raw`);
  t.end();
});
