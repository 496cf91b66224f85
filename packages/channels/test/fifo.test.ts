// The ring-buffer queue behind a channel's waiting list and buffer.
import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Fifo } from '../src/fifo.js';

t.test('first in, first out, across wrap-around and growth', (t) => {
  const fifo = new Fifo<number>();
  const model: number[] = [];
  let next = 0;
  // Pushes outrun shifts, so the ring wraps at every capacity on its way up.
  for (let step = 0; step < 500; step++) {
    for (let k = 0; k < 1 + (step % 3); k++) {
      fifo.push(next);
      model.push(next++);
    }
    if (step % 2 === 0) t.equal(fifo.shift(), model.shift());
    if (fifo.length !== model.length || fifo.peek() !== model[0]) {
      t.fail(`step ${step}: length ${fifo.length}, head ${fifo.peek()}; expected ${model.length}, ${model[0]}`);
      return t.end();
    }
  }
  t.same([...fifo], model, 'iteration is oldest first');
  while (model.length > 0) t.equal(fifo.shift(), model.shift());
  t.equal(fifo.shift(), undefined, 'empty: shift() gives undefined');
  t.equal(fifo.peek(), undefined);
  t.equal(fifo.length, 0);
  t.end();
});

t.test('remove() takes an item out of the middle and keeps the order', (t) => {
  const fifo = new Fifo<string>();
  for (const item of ['x', 'y', 'a', 'b', 'c', 'd', 'e']) fifo.push(item);
  fifo.shift();
  fifo.shift(); // the head is now past the start of the ring
  fifo.push('f');
  fifo.push('g'); // wrapped
  t.equal(fifo.remove('d'), true);
  t.equal(fifo.remove('a'), true, 'the head');
  t.equal(fifo.remove('g'), true, 'the tail');
  t.equal(fifo.remove('zzz'), false, 'absent');
  t.same([...fifo], ['b', 'c', 'e', 'f']);
  t.equal(fifo.length, 4);
  t.end();
});

t.test('drain() empties it, oldest first, and it works on afterwards', (t) => {
  const fifo = new Fifo<number>();
  for (let i = 0; i < 10; i++) fifo.push(i);
  fifo.shift();
  t.same(fifo.drain(), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.equal(fifo.length, 0);
  fifo.push(42);
  t.same([...fifo], [42]);
  t.end();
});

t.test('a taken item is no longer referenced by the queue', async (t) => {
  // The ring clears a slot as its item leaves, so a value that went through a
  // buffered channel is not kept alive by the buffer.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const fifo = new Fifo<object>();
  const taken = new WeakRef((() => {
    const item = {};
    fifo.push(item);
    fifo.push({});
    fifo.shift();
    return item;
  })());
  await new Promise((resolve) => setImmediate(resolve)); // WeakRefs hold until the job ends
  gc();
  t.equal(taken.deref(), undefined, 'collected');
  t.equal(fifo.length, 1);
  t.end();
});
