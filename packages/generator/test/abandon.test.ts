// A consumer abandoning a generator half way: no leak, and finally runs.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

t.test('abandoned generators are unwound when collected', (t) => {
  const script = fileURLToPath(new URL('./fixtures/abandon.mjs', import.meta.url));
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  const child = spawnSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', env, timeout: 120_000 });
  t.equal(child.signal, null, `no crash: ${child.stderr}`);
  t.equal(child.status, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim());
  t.ok(report.liveBefore > 0, `${report.liveBefore} generators were suspended when abandoned`);
  t.equal(report.finallyRan, report.rounds, 'every finally block ran');
  t.equal(report.liveAfter, 0, 'no greenlet stack left behind');
  t.end();
});
