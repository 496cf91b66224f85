// A consumer abandoning a generator half way: no leak, and finally runs.
import t from 'tap';
import { fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

t.test('abandoned generators are unwound when collected', (t) => {
  const child = runChild(fixture('abandon.mjs'), ['--expose-gc'], [], {}, { timeout: 120_000 });
  t.equal(child.signal, null, `no crash: ${child.stderr}`);
  t.equal(child.status, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim());
  t.ok(report.liveBefore > 0, `${report.liveBefore} generators were suspended when abandoned`);
  t.equal(report.finallyRan, report.rounds, 'every finally block ran');
  t.equal(report.liveAfter, 0, 'no greenlet stack left behind');
  t.end();
});
