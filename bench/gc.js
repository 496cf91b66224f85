// Garbage-collection cost of suspended greenlets, against a baseline measured
// in the same process: every V8 collection walks the stack of every suspended
// greenlet (each is a V8 thread of its own, archived while suspended), except
// that scavenges skip settled ones (docs/switch-cost.md); the suspended
// figures are taken with that skip on and again with it off.
//
// Usage: node --expose-gc bench/gc.js [--count 10000] [--depth 3] [--json]
//
// Three measurements, each with no greenlets suspended (before parking them
// and again after unwinding them; the baseline is the mean of the two) and
// with `count` greenlets suspended `depth` calls deep in their own code:
//   - scavenges under a workload: a request-handling loop that allocates short
//     lived object graphs and keeps the last few thousand results alive (so a
//     realistic share of each young generation survives); the scavenges V8
//     runs by itself are timed with a PerformanceObserver;
//   - forced scavenges with an almost empty young generation
//     (gc({ type: 'minor' })): what is left is root scanning, the worst case
//     for the ratio;
//   - forced full mark-compact collections (gc()).
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Greenlet, getcurrent, stats } from '@stackless/greenlet';
import { core, diagnostics } from '@stackless/native';
import { printGoals, printTable } from './measure.js';

if (typeof globalThis.gc !== 'function') {
  console.error('bench/gc.js needs --expose-gc');
  process.exit(2);
}

const { values: options } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    depth: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(options.count);
const depth = Number(options.depth);
const main = getcurrent();

// --- the young-generation workload ------------------------------------------

const window = new Array(4000);
let cursor = 0;
let checksum = 0;

/** One "request": parse-ish work producing a small object graph. */
function handle(i) {
  const headers = { host: 'example.org', 'user-agent': `bench/${i & 7}`, accept: '*/*' };
  const items = [];
  for (let k = 0; k < 8; k++) items.push({ id: i * 8 + k, name: `item-${k}`, tags: ['a', 'b', k & 1 ? 'odd' : 'even'] });
  const body = { user: { id: i % 1000, name: `user${i % 1000}` }, items, total: items.length };
  const response = { status: 200, headers, size: JSON.stringify(body).length };
  // A few results outlive the request (caches, logs): they survive a scavenge.
  window[cursor] = response;
  cursor = (cursor + 1) % window.length;
  return response.size;
}

/** Runs `requests` requests and returns the scavenges V8 ran meanwhile (ns each). */
async function workloadScavenges(requests) {
  const durations = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) durations.push(entry.duration * 1e6);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < requests; i++) checksum += handle(i);
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  return durations;
}

function forced(kind, rounds) {
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    if (kind === 'minor') globalThis.gc({ type: 'minor' });
    else globalThis.gc();
    samples.push(Number(process.hrtime.bigint() - start));
  }
  return median(samples);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

function mean(values) {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

async function measure() {
  // Warm the workload (optimised code, grown semi-spaces) before timing it.
  await workloadScavenges(100_000);
  const scavenges = await workloadScavenges(400_000);
  globalThis.gc();
  return {
    workload: mean(scavenges),
    workloadMedian: median(scavenges),
    workloadCount: scavenges.length,
    minor: forced('minor', 30),
    major: forced('major', 10),
  };
}

// --- suspended greenlets ----------------------------------------------------

/** A greenlet suspended `depth` frames deep in its own code. */
function park(id) {
  function wait(state, level) {
    if (level > 1) return wait(state, level - 1) + 1;
    for (;;) state.seen = main.switch(state.seen + 1);
  }
  const g = new Greenlet(() => wait({ id, seen: 0 }, depth));
  // Started and switched into ten times, as a long-lived greenlet would be.
  for (let i = 0; i < 10; i++) g.switch();
  return g;
}

const before = await measure();
const parked = [];
for (let i = 0; i < count; i++) parked.push(park(i));
const live = stats().live;
const during = await measure();
const skip = diagnostics.shortcuts().scavengeSkip;
// The same, with every scavenge walking every suspended greenlet.
core.setShortcut('scavengeSkip', false);
const duringWithoutSkip = await measure();
core.setShortcut('scavengeSkip', true);
for (const g of parked) g.throw();
parked.length = 0;
const after = await measure();

const row = (label, key) => {
  const base = (before[key] + after[key]) / 2;
  const loaded = during[key];
  const unskipped = duringWithoutSkip[key];
  return {
    label,
    base,
    loaded,
    unskipped,
    perGreenlet: (loaded - base) / count,
    ratio: loaded / base,
    unskippedRatio: unskipped / base,
  };
};
const rows = [
  row('scavenge, request workload (mean)', 'workload'),
  row('scavenge, forced, empty young generation', 'minor'),
  row('mark-compact, forced', 'major'),
];

if (options.json) {
  console.log(JSON.stringify({ count, depth, live, skip, before, during, duringWithoutSkip, after, rows }));
} else {
  console.log(`stackless GC benchmark: node ${process.version}, ${count} greenlets suspended ${depth} frames deep (live: ${live})`);
  for (const r of rows) {
    printTable(r.label, [
      ['no greenlets suspended (baseline)', r.base / 1000, 'µs'],
      [`${count} suspended`, r.loaded / 1000, 'µs', `ratio ${r.ratio.toFixed(2)}x`],
      ['cost per suspended greenlet', r.perGreenlet, 'ns'],
      [`${count} suspended, scavenge skip off`, r.unskipped / 1000, 'µs', `ratio ${r.unskippedRatio.toFixed(2)}x`],
    ]);
  }
  console.log(
    `\n(scavenge skip: ${skip.status}${skip.reason ? `, ${skip.reason}` : ''}; ` +
      `${skip.cuts} of ${skip.scavenges} scavenges skipped settled greenlets, ${skip.lastSkipped} in the last)`,
  );
  printGoals([[`full GC, ${count} parked ${depth} frames deep / none parked`, rows[2].ratio, 3, 'x', 'same process, median of 10 forced gc()']]);
  console.log(
    `\n(workload: ${before.workloadCount}/${during.workloadCount}/${after.workloadCount} scavenges before/during/after; checksum ${checksum % 1000})`,
  );
}
