// Memory of greenlet stacks, measured as the resident set size: kept apart
// from stacks.test.ts because it means nothing where RSS is not the real one
// (qemu-user reports 0, so the arm64 CI set leaves this file out).
import t from 'tap';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

t.test('the pages of ended greenlets go back to the system', (t) => {
  const result = runChild(fixture('stack-memory.mjs'), ['--expose-gc']);
  expectExit(t, result);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
  const MiB = 1024 * 1024;
  t.ok(report.dirtied > 200 * MiB, `2,000 greenlets dirtied ${(report.dirtied / MiB).toFixed(0)} MiB of stack`);
  t.equal(report.live, 200, 'one in ten still suspended');
  t.equal(report.arenasAfter, report.arenasLoaded, 'which keeps every arena mapped');
  // What stays: the 200 suspended stacks (~27 MiB) and at most one batch not yet released.
  t.ok(report.stillHeld < report.dirtied / 4, `yet only ${(report.stillHeld / MiB).toFixed(0)} MiB is still held`);
  t.end();
});
