// Instructions a full GC spends per parked greenlet, for callgrind (load
// independent, unlike bench/gc.js's times). Parks `count` greenlets 3 calls
// deep in optimised code, then runs 6 full collections. Count only the
// collections, and take the difference of two counts:
//
//   valgrind --tool=callgrind --toggle-collect='*GCExtension::GC*' \
//     node --expose-gc --single-threaded bench/parked-gc-count.js 0
//   (the same with 2000; per greenlet per GC: (count2000 - count0) / 12000)
import { Greenlet, getcurrent } from '@stackless/greenlet';

const count = Number(process.argv[2] ?? '2000');
if (!Number.isSafeInteger(count) || count < 0) {
  console.error(`bench/parked-gc-count.js: the count must be a whole number >= 0, not ${process.argv[2]}`);
  process.exit(2);
}
if (typeof globalThis.gc !== 'function') {
  console.error('bench/parked-gc-count.js needs --expose-gc');
  process.exit(2);
}

const main = getcurrent();
const COLLECTIONS = 6;

function parkDeep(calls) {
  return calls === 0 ? main.switch() : parkDeep(calls - 1) + 1;
}

// Warm up, so that the suspending functions are optimised as in a long-running program.
for (let i = 0; i < 20000; i++) {
  const greenlet = new Greenlet(() => parkDeep(3));
  greenlet.switch();
  greenlet.switch(0);
}
const parked = [];
for (let i = 0; i < count; i++) {
  const greenlet = new Greenlet(() => parkDeep(3));
  greenlet.switch();
  parked.push(greenlet);
}
for (let i = 0; i < COLLECTIONS; i++) globalThis.gc();
for (const greenlet of parked) greenlet.switch(0);
