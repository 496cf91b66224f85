// Every public function and method with wrong types and out-of-range numbers
// (test/fixtures/bad-input-fuzz.mjs, fast-check), in a child process: each
// call works or throws a typed error with a message of ours, and leaves the
// scheduler as it found it. A fixed seed and a random one (printed).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const fixture = fileURLToPath(new URL('./fixtures/bad-input-fuzz.mjs', import.meta.url));

for (const seed of [20261202, (Date.now() ^ (Math.random() * 2 ** 31)) | 0]) {
  t.test(`bad input over the public API (seed ${seed})`, (t) => {
    const env = { ...process.env };
    delete env.NODE_V8_COVERAGE;
    const child = spawnSync(process.execPath, [fixture, '2000', String(seed)], {
      encoding: 'utf8',
      env,
      timeout: 300_000,
    });
    t.equal(child.signal, null, `no crash\n${child.stderr}`);
    t.equal(child.status, 0, child.stderr);
    const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { calls: number; findings: unknown[] };
    t.equal(report.calls, 2000);
    t.same(report.findings, [], 'every bad call got a typed error of ours');
    t.end();
  });
}
