// The cross-package workload (test/fixtures/gc-stress-workload.mjs: the
// reference-model programs, skynet, the prime sieve, hackeysack, deep
// generators, parked greenlets, a select fan-in over timers) under each of
// V8's GC stress modes, in a child process: every part must compute its exact
// result and the process must end cleanly. `node scripts/gc-stress.js` runs
// it bigger, over more seeds.
import { fileURLToPath } from 'node:url';
import t from 'tap';
// @ts-expect-error: a plain ES module shared with scripts/gc-stress.js
import { gcStressModes } from './fixtures/gc-stress-modes.mjs';
import { runProcess } from '@stackless/test-support';

const workload = fileURLToPath(new URL('./fixtures/gc-stress-workload.mjs', import.meta.url));

// --stress-concurrent-allocation hung (until the 300 s timeout) in 2 of 3 runs
// of this file under tap on a heavily loaded machine, never outside tap
// (42 runs): not understood yet, so it runs only in scripts/gc-stress.js.
const inCI = (gcStressModes() as Array<[string, string[]]>).filter(([name]) => name !== '--stress-concurrent-allocation');

for (const [name, flags] of inCI) {
  t.test(`gc stress: ${name}`, (t) => {
    const child = runProcess(process.execPath, [...flags, workload, '1'], { timeout: 300_000 });
    t.equal(child.signal, null, `no crash\n${child.stderr}`);
    t.equal(child.status, 0, child.stderr);
    const lines = child.stdout.trim().split('\n');
    t.equal(lines.at(-1), 'gc-stress workload ok');
    t.equal(lines.filter((line) => line.startsWith('ok ')).length, 13, 'every part checked');
    t.end();
  });
}
