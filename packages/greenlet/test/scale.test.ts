// Scale: with guard markers an arena of stacks is one memory mapping, so the
// number of suspended greenlets is no longer capped near vm.max_map_count / 2.
import t from 'tap';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

t.test('more suspended greenlets than vm.max_map_count / 2 live, switch and unwind', (t) => {
  const result = runChild(fixture('many-suspended.mjs'));
  expectExit(t, result);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
  if (report.guard !== 'madvise') {
    t.skip(`this kernel has no guard markers (MADV_GUARD_INSTALL, Linux 6.13+): guard is ${report.guard}`);
    t.end();
    return;
  }
  t.ok(report.count > report.maxMapCount / 2, `${report.count} greenlets (vm.max_map_count ${report.maxMapCount})`);
  t.equal(report.liveWhileSuspended, report.count, 'all were suspended at once');
  t.equal(report.wrong, 0, 'every switch returned what its greenlet computed');
  t.ok(report.processMappings < report.maxMapCount / 2, `the whole process used ${report.processMappings} mappings`);
  t.ok(report.mappings <= report.arenas, `stacks took ${report.mappings} mappings for ${report.arenas} arenas`);
  t.equal(report.finallyRan, report.count, 'every greenlet unwound through its finally block');
  t.ok(report.dead, 'and is dead');
  t.equal(report.liveAfter, 0, 'no stack left in use');
  t.end();
});
