// 100,000 live suspended greenlets: each is created and started, switched into
// ten times in all, then unwound. Prints ns per operation and memory per
// suspended greenlet, against the same run with 1,000 greenlets measured first
// in this process (the baseline for the ratios).
//
// Usage: node --expose-gc bench/scale.js [--count 100000] [--json]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Greenlet, getcurrent, stats } from '@stackless/greenlet';
import { printGoals, printTable } from './measure.js';

if (typeof globalThis.gc !== 'function') {
  console.error('bench/scale.js needs --expose-gc');
  process.exit(2);
}

const { values: options } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    baseline: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});
const main = getcurrent();

/** RSS and page-table memory (not part of RSS) in bytes, after full GCs. */
function memory() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), pageTables: kib('VmPTE'), heap: process.memoryUsage().heapUsed };
}

function run(count) {
  const before = memory();
  const greenlets = new Array(count);
  let check = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const g = new Greenlet((first) => {
      let value = first;
      for (;;) value = main.switch(value + 1);
    });
    check += g.switch(i);
    greenlets[i] = g;
  }
  const t1 = process.hrtime.bigint();
  for (let round = 1; round < 10; round++) {
    for (let i = 0; i < count; i++) check += greenlets[i].switch(i);
  }
  const t2 = process.hrtime.bigint();
  const live = stats().live;
  const loaded = memory();
  const core = stats();
  const t3 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) greenlets[i].throw();
  const t4 = process.hrtime.bigint();
  if (live !== count || stats().live !== 0) throw new Error(`expected ${count} live then 0, saw ${live} and ${stats().live}`);
  return {
    count,
    check,
    createStartNs: Number(t1 - t0) / count,
    switchNs: Number(t2 - t1) / (9 * count),
    unwindNs: Number(t4 - t3) / count,
    totalMs: Number(t2 - t0 + t4 - t3) / 1e6,
    rss: (loaded.rss - before.rss) / count,
    pageTables: (loaded.pageTables - before.pageTables) / count,
    heap: (loaded.heap - before.heap) / count,
    guard: core.guard,
    arenas: core.arenas,
    mappings: core.mappings,
  };
}

const baselineCount = Number(options.baseline);
run(baselineCount); // warm up: optimised code, pooled stacks
const small = run(baselineCount);
const large = run(Number(options.count));

if (options.json) {
  console.log(JSON.stringify({ small, large }));
} else {
  const ratio = (key) => `${(large[key] / small[key]).toFixed(2)}x the ${small.count.toLocaleString('en')} run`;
  console.log(
    `stackless scale benchmark: node ${process.version}, ${large.count.toLocaleString('en')} live suspended greenlets ` +
      `(guard: ${large.guard}, ${large.arenas} stack arenas, ${large.mappings} mappings)`,
  );
  printTable(`Per greenlet, ${large.count.toLocaleString('en')} live (${large.totalMs.toFixed(0)} ms in all)`, [
    ['create + start + suspend', large.createStartNs, 'ns/op', ratio('createStartNs')],
    ['switch round trip into a suspended one', large.switchNs, 'ns/op', ratio('switchNs')],
    ['unwind (throw GreenletExit, run to the end)', large.unwindNs, 'ns/op', ratio('unwindNs')],
  ]);
  const kib = (bytes) => (bytes / 1024).toFixed(2);
  printTable('Memory per suspended greenlet', [
    ['RSS', kib(large.rss), 'KiB', `(${kib(small.rss)} KiB with ${small.count.toLocaleString('en')}: memory reused)`],
    ['  of which JS heap', kib(large.heap), 'KiB'],
    ['page tables (kernel memory, not in RSS)', kib(large.pageTables), 'KiB'],
  ]);
  const parked = large.count.toLocaleString('en');
  printGoals([
    [`switch into a cold greenlet, ${parked} parked`, large.switchNs / 1000, 1, ' µs', 'round robin, passing a value'],
    [`RSS per parked greenlet, ${parked} parked`, large.rss / 1024, 7, ' KiB', 'page tables not counted'],
  ]);
}
