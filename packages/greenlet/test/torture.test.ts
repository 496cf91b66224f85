// The GC torture suite, one child process per collector mode: a crash there
// fails a test instead of ending the run.
import t from 'tap';
import { expectExit, fixture, runChild } from './child.js';

const modes: Array<[string, string[]]> = [
  ['default collector', ['--expose-gc']],
  ['--stress-compaction', ['--expose-gc', '--stress-compaction']],
  ['--stress-incremental-marking', ['--expose-gc', '--stress-incremental-marking']],
  ['--stress-scavenge', ['--expose-gc', '--stress-scavenge=20']],
  ['--single-threaded-gc', ['--expose-gc', '--single-threaded-gc']],
  // V8 11 calls its young-generation mark-compactor --minor-mc; V8 12 on, --minor-ms.
  minorMarkingMode(),
  ['tiny young generation', ['--expose-gc', '--max-semi-space-size=1']],
  ['--jitless', ['--expose-gc', '--jitless']],
  ['--always-turbofan', ['--expose-gc', '--always-turbofan']],
];

function minorMarkingMode(): [string, string[]] {
  const flag = Number(process.versions.v8.split('.')[0]) >= 12 ? '--minor-ms' : '--minor-mc';
  return [`${flag} (young-generation marking)`, ['--expose-gc', flag]];
}

for (const [name, flags] of modes) {
  t.test(`torture: ${name}`, (t) => {
    const result = runChild(fixture('torture.mjs'), flags, ['2000', '30000']);
    expectExit(t, result);
    t.match(result.stdout, /torture ok: 2000 greenlets, 30000 switches/);
    t.end();
  });
}
