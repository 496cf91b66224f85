// Memory stays flat over 100,000 greenlet lifecycles and 100,000 switches
// (Python greenlet's test_leaks), measured in a child process after a
// same-sized warm-up so pools and high-water marks are already reached.
import t from 'tap';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

const MiB = 1024 * 1024;

// V8 grows its young generation while objects survive scavenges (suspended
// greenlets keep theirs alive), up to a maximum that differs by version; on
// Node 24 that alone adds ~100 MiB of RSS. A fixed size keeps that out of
// the measurement, which is about what greenlets themselves leave behind.
const fixedYoungGeneration = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

t.test('heap and RSS stay flat', (t) => {
  const result = runChild(fixture('leaks.mjs'), ['--expose-gc', ...fixedYoungGeneration], ['100000']);
  expectExit(t, result);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
  for (const phase of ['create-start-finish', 'switch-round-trips', 'suspend-and-kill', 'errors-to-parent']) {
    const { heapGrowth, rssGrowth } = report[phase];
    t.ok(heapGrowth < MiB / 2, `${phase}: heap grew ${heapGrowth} bytes over 100,000 cycles`);
    t.ok(rssGrowth < 8 * MiB, `${phase}: RSS grew ${rssGrowth} bytes over 100,000 cycles`);
  }
  t.equal(report.retained, 0, 'arguments and results are released once used');
  t.equal(report.live, 0, 'no greenlet stack left behind');
  t.end();
});

// After a burst of parked greenlets V8 keeps a small record per V8 thread on
// the thread that ran them, which pins most of the freed C heap (issue 14,
// item 8; docs/greenlet.md, "Memory after a burst"). Run in a worker, the
// burst's memory is freed when the worker ends, and trimMemory() gives it back.
t.test('a burst run in a worker gives its memory back after trimMemory()', (t) => {
  const result = runChild(fixture('burst-in-worker.mjs'), ['--expose-gc'], ['worker', '20000']);
  expectExit(t, result);
  const { baseline, afterBurst, afterTrim } = JSON.parse(result.stdout.trim() || '{}');
  t.ok(afterBurst > baseline + 50 * MiB, `the burst left ${Math.round((afterBurst - baseline) / MiB)} MiB resident`);
  // Most, not all: on Node 24 some 30 MiB more than the baseline stays
  // (outside the C heap, which is back to its size); Node 20 is within 10%.
  const kept = (afterTrim - baseline) / (afterBurst - baseline);
  t.ok(
    kept < 0.25,
    `after trimMemory() RSS is ${Math.round(afterTrim / MiB)} MiB, baseline ${Math.round(baseline / MiB)} MiB: ${Math.round(kept * 100)}% of the burst's memory kept`,
  );
  t.end();
});
