// The GC torture suite, one child process per collector mode: a crash there
// fails a test instead of ending the run.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { expectExit, fixture, runChild } from './child.js';

// Flags come and go between V8 versions: pick by what this V8 offers.
const v8Options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 << 20 });
const supports = (flag: string) => new RegExp(`^\\s+${flag}\\s`, 'm').test(v8Options);

const modes: Array<[string, string[]]> = [
  ['default collector', ['--expose-gc']],
  ['--stress-compaction', ['--expose-gc', '--stress-compaction']],
  ['--stress-incremental-marking', ['--expose-gc', '--stress-incremental-marking']],
  ['--stress-scavenge', ['--expose-gc', '--stress-scavenge=20']],
  ['--single-threaded-gc', ['--expose-gc', '--single-threaded-gc']],
  minorMarkingMode(),
  ['tiny young generation', ['--expose-gc', '--max-semi-space-size=1']],
  ['--jitless', ['--expose-gc', '--jitless']],
  eagerOptimisationMode(),
];

/** Young-generation marking: --minor-mc in V8 11, --minor-ms from V8 12. */
function minorMarkingMode(): [string, string[]] {
  const flag = supports('--minor-ms') ? '--minor-ms' : '--minor-mc';
  return [`${flag} (young-generation marking)`, ['--expose-gc', flag]];
}

/** Optimised frames on suspended stacks: --always-turbofan, gone in V8 14. */
function eagerOptimisationMode(): [string, string[]] {
  if (supports('--always-turbofan')) return ['--always-turbofan', ['--expose-gc', '--always-turbofan']];
  const flags = ['--invocation-count-for-turbofan=1', '--invocation-count-for-maglev=1'];
  return [`eager optimisation (${flags.join(' ')})`, ['--expose-gc', ...flags]];
}

for (const [name, flags] of modes) {
  t.test(`torture: ${name}`, (t) => {
    const result = runChild(fixture('torture.mjs'), flags, ['2000', '30000']);
    expectExit(t, result);
    t.match(result.stdout, /torture ok: 2000 greenlets, 30000 switches/);
    t.end();
  });
}
