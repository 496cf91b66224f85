// Stack overflow inside a greenlet is a RangeError, never a crash. Runs in a
// child process: if the limit were wrong, the guard page would kill it.
import t from 'tap';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

t.test('deep recursion throws RangeError in greenlets of every stack size', (t) => {
  const result = runChild(fixture('recursion.mjs'));
  expectExit(t, result);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
  t.ok(report.greenletDepth > report.mainDepth / 2, `1 MiB greenlet stack: ${report.greenletDepth} frames (main: ${report.mainDepth})`);
  t.ok(report.greenletDepthAfterSwitch > report.greenletDepth / 2, 'the limit holds after switching');
  t.equal(report.uncaught, 'RangeError', 'an uncaught overflow reaches the parent as RangeError');
  t.ok(report.manyDepths, 'fifty greenlets overflow in turn');
  t.ok(report.smallStackDepth < report.greenletDepth / 2, `256 KiB stack: ${report.smallStackDepth} frames`);
  t.ok(report.largeStackDepth > report.greenletDepth * 2, `4 MiB stack: ${report.largeStackDepth} frames`);
  t.equal(report.mainDepthAfter, report.mainDepth, "main's own limit is untouched");
  t.end();
});
