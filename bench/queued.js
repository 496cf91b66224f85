// Heap held by each tasklet that is queued and not yet started, as skynet
// queues its leaves (its run queue is FIFO, so all of them wait at once).
// Usage: node --expose-gc bench/queued.js [count]   (100,000)
import { Channel } from '@stackless/channels';
import { run, tasklet } from '@stackless/tasklets';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const count = Number(process.argv[2] ?? 100_000);
const channel = new Channel({ capacity: count });
const spawn = tasklet(function leaf(into, value) {
  into.send(value);
});

function settledHeap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const kept = new Array(count);
const before = settledHeap();
for (let i = 0; i < count; i++) kept[i] = spawn(channel, i);
const after = settledHeap();
run();
let sum = 0;
for (let i = 0; i < count; i++) sum += channel.receive();
if (sum !== (count * (count - 1)) / 2) throw new Error('a leaf went missing');
console.log(`${count} queued tasklets: ${((after - before) / count).toFixed(0)} B of JS heap each`);
