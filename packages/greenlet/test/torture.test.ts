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

/** Restores bypassed / done plainly, from the fixture's last line. */
function restores(stdout: string): { status: string; bypassed: number; plain: number } {
  const found = /debugger-walk bypass: ([a-z ]+), (\d+) bypassed, (\d+) plain/.exec(stdout);
  return { status: found?.[1] ?? 'missing', bypassed: Number(found?.[2] ?? 0), plain: Number(found?.[3] ?? 0) };
}

for (const [name, flags] of modes) {
  t.test(`torture: ${name}`, (t) => {
    const result = runChild(fixture('torture.mjs'), flags, ['2000', '30000']);
    expectExit(t, result);
    t.match(result.stdout, /torture ok: 2000 greenlets, 30000 switches/);
    // The collector ran over stacks restored through the bypass.
    const seen = restores(result.stdout);
    t.equal(seen.status, 'on', 'the debugger-walk bypass was on');
    t.ok(seen.bypassed > 30000, `restores went through the bypass (${seen.bypassed})`);
    t.end();
  });
}

t.test('torture with the debugger-walk bypass off', (t) => {
  const result = runChild(fixture('torture.mjs'), ['--expose-gc', '--stress-compaction'], ['2000', '30000'], {
    STACKLESS_DEBUG_WALK_BYPASS: '0',
  });
  expectExit(t, result);
  t.match(result.stdout, /torture ok: 2000 greenlets, 30000 switches/);
  const seen = restores(result.stdout);
  t.equal(seen.status, 'off');
  t.equal(seen.bypassed, 0, 'no restore went through the bypass');
  t.end();
});
