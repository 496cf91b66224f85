// Run by scripts/test-install.sh in a fresh project that installed the
// release tarballs: one of each thing the packages do, as a user would.
import assert from 'node:assert/strict';
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { run, tasklet } from '@stackless/tasklets';
import { Channel } from '@stackless/channels';
import { generator, yieldValue } from '@stackless/generator';

// A greenlet suspends a recursive walk from three calls deep.
const main = getcurrent();
const walk = (tree) => (Array.isArray(tree) ? tree.forEach(walk) : main.switch(tree));
const walker = new Greenlet(walk);
assert.equal(walker.switch([1, [2, [3]]]), 1);
assert.equal(walker.switch(), 2);
assert.equal(walker.switch(), 3);

// Tasklets over an unbuffered channel.
const numbers = new Channel();
tasklet(() => {
  for (let i = 1; i <= 4; i++) numbers.send(i);
  numbers.close();
})();
const squares = [];
tasklet(() => {
  for (const n of numbers) squares.push(n * n);
})();
run();
assert.deepEqual(squares, [1, 4, 9, 16]);

// A generator whose helper yields, 1000 calls deep.
const countdown = generator((depth) => {
  const down = (n) => {
    if (n === 0) return;
    yieldValue(n);
    down(n - 1);
  };
  down(depth);
});
const values = [...countdown(1000)];
assert.equal(values.length, 1000);
assert.equal(values[999], 1);

console.log(`smoke ok: node ${process.version} ${process.platform}-${process.arch}`);
