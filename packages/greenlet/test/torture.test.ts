// The GC torture suite, one child process per collector mode: a crash there
// fails a test instead of ending the run.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

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

/** How the fixture's switches were made, from its last lines. */
function paths(stdout: string) {
  const bypass = /debugger-walk bypass: ([a-z ]+), (\d+) bypassed, (\d+) plain/.exec(stdout);
  const direct = /direct restore: ([a-z ]+), (\d+) switches/.exec(stdout);
  return {
    bypass: bypass?.[1] ?? 'missing',
    bypassed: Number(bypass?.[2] ?? 0),
    direct: direct?.[1] ?? 'missing',
    directSwitches: Number(direct?.[2] ?? 0),
  };
}

// The direct restore reads V8's x86-64 code; elsewhere the bypass serves.
const directRestoreHere = process.arch === 'x64';

for (const [name, flags] of modes) {
  t.test(`torture: ${name}`, (t) => {
    const result = runChild(fixture('torture.mjs'), flags, ['2000', '30000']);
    expectExit(t, result);
    t.match(result.stdout, /torture ok: 2000 greenlets, 30000 switches/);
    // The collector ran over stacks switched by the fast paths.
    const seen = paths(result.stdout);
    if (directRestoreHere) {
      t.equal(seen.direct, 'on', 'the direct restore was on');
      t.ok(seen.directSwitches > 30000, `switches went through it (${seen.directSwitches})`);
    } else {
      t.equal(seen.bypass, 'on', 'the debugger-walk bypass was on');
      t.ok(seen.bypassed > 30000, `restores went through it (${seen.bypassed})`);
    }
    t.end();
  });
}

t.test('torture through ~v8::Unlocker with the debugger-walk bypass', (t) => {
  const result = runChild(fixture('torture.mjs'), ['--expose-gc', '--stress-compaction'], ['2000', '30000'], {
    STACKLESS_DIRECT_RESTORE: '0',
  });
  expectExit(t, result);
  t.match(result.stdout, /torture ok: 2000 greenlets, 30000 switches/);
  const seen = paths(result.stdout);
  t.equal(seen.direct, 'off');
  t.equal(seen.directSwitches, 0);
  t.equal(seen.bypass, 'on');
  t.ok(seen.bypassed > 30000, `restores went through the bypass (${seen.bypassed})`);
  t.end();
});

t.test('torture through the public API alone (both shortcuts off)', (t) => {
  const result = runChild(fixture('torture.mjs'), ['--expose-gc', '--stress-compaction'], ['2000', '30000'], {
    STACKLESS_DIRECT_RESTORE: '0',
    STACKLESS_DEBUG_WALK_BYPASS: '0',
  });
  expectExit(t, result);
  t.match(result.stdout, /torture ok: 2000 greenlets, 30000 switches/);
  const seen = paths(result.stdout);
  t.equal(seen.directSwitches + seen.bypassed, 0, 'no switch took a shortcut');
  t.end();
});
