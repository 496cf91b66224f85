// Every public function and method with wrong types and out-of-range numbers
// (test/fixtures/bad-input-fuzz.mjs, fast-check), in a child process: each
// call works or throws a typed error with a message of ours, and leaves the
// scheduler as it found it. A fixed seed and a random one (printed).
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runProcess } from '@stackless/test-support';

const fixture = fileURLToPath(new URL('./fixtures/bad-input-fuzz.mjs', import.meta.url));

for (const seed of [20261202, (Date.now() ^ (Math.random() * 2 ** 31)) | 0]) {
  t.test(`bad input over the public API (seed ${seed})`, (t) => {
    const child = runProcess(process.execPath, [fixture, '2000', String(seed)], { timeout: 300_000 });
    t.equal(child.signal, null, `no crash\n${child.stderr}`);
    t.equal(child.status, 0, child.stderr);
    const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { calls: number; findings: unknown[] };
    t.equal(report.calls, 2000);
    t.same(report.findings, [], 'every bad call got a typed error of ours');
    t.end();
  });
}
