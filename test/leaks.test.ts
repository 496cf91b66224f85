// Memory stays flat over tasklet, channel, select, timer and deep generator
// lifecycles, measured in a child process after two same-sized warm-up
// rounds (test/fixtures/tasklet-leaks.mjs), the smaller of two rounds' growth;
// nothing is left alive after.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runProcess } from '@stackless/test-support';

const MiB = 1024 * 1024;
const fixture = fileURLToPath(new URL('./fixtures/tasklet-leaks.mjs', import.meta.url));
// A fixed young generation keeps V8's own growth of it out of the figures
// (see packages/greenlet/test/leaks.test.ts).
const flags = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];

t.test('tasklets, channels, select, timers and deep generators leave nothing behind', (t) => {
  const child = runProcess(process.execPath, [...flags, fixture, '20000'], { timeout: 300_000 });
  t.equal(child.signal, null, child.stderr);
  t.equal(child.status, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as {
    phases: Record<string, { heapGrowth: number; rssGrowth: number }>;
    liveGreenlets: number;
  };
  t.equal(Object.keys(report.phases).length, 8, 'every phase ran');
  for (const [phase, { heapGrowth, rssGrowth }] of Object.entries(report.phases)) {
    t.ok(heapGrowth < MiB / 2, `${phase}: heap grew ${heapGrowth} bytes over a round`);
    t.ok(rssGrowth < 8 * MiB, `${phase}: RSS grew ${rssGrowth} bytes over a round`);
  }
  t.equal(report.liveGreenlets, 0, 'no greenlet left alive');
  t.end();
});
