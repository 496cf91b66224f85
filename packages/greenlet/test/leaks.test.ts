// Memory stays flat over 100,000 greenlet lifecycles and 100,000 switches
// (Python greenlet's test_leaks), measured in a child process after a
// same-sized warm-up so pools and high-water marks are already reached.
import t from 'tap';
import { expectExit, fixture, runChild } from './child.js';

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
