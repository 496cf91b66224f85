// Scavenges that skip settled greenlets (native/src/shortcuts/scavenge_skip.h). Each run
// is a child process: a wrongly skipped greenlet crashes or reads corrupted
// values, and the fixture checks every value it holds.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { core, diagnostics } from '@stackless/native';
import { type ChildResult, expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

const v8Options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 << 20 });
const supports = (flag: string) => new RegExp(`^\\s+${flag}\\s`, 'm').test(v8Options);

interface SkipReport {
  status: string;
  scavenges: number;
  cuts: number;
  skipped: number;
  reason: string;
}

function report(result: ChildResult): SkipReport {
  const line = /scavenge skip: ([a-z ]+), (\d+) scavenges, (\d+) cuts, (\d+) skipped(?: \((.*)\))?/.exec(result.stdout);
  return {
    status: line?.[1] ?? 'missing',
    scavenges: Number(line?.[2] ?? 0),
    cuts: Number(line?.[3] ?? 0),
    skipped: Number(line?.[4] ?? 0),
    reason: line?.[5] ?? '',
  };
}

function runSettled(flags: string[], env: NodeJS.ProcessEnv = {}): ChildResult {
  return runChild(fixture('settled-greenlets.mjs'), ['--expose-gc', ...flags], ['3000', '40'], env);
}

const collectorModes: Array<[string, string[]]> = [
  ['default collector', []],
  ['--single-threaded-gc', ['--single-threaded-gc']],
  ['tiny young generation (many natural scavenges)', ['--max-semi-space-size=1']],
  ['--stress-incremental-marking (scavenges during marking)', ['--stress-incremental-marking']],
];

for (const [name, flags] of collectorModes) {
  t.test(`settled greenlets are skipped and keep their values: ${name}`, (t) => {
    const result = runSettled(flags);
    expectExit(t, result);
    t.match(result.stdout, /settled ok: 3000 greenlets, 40 rounds/);
    const skip = report(result);
    t.equal(skip.status, 'on', skip.reason);
    t.ok(skip.cuts > skip.scavenges / 2, `most scavenges skipped someone (${skip.cuts} of ${skip.scavenges})`);
    // Each round resumes an eighth of the greenlets: most are settled.
    t.ok(skip.skipped > skip.cuts * 1000, `thousands skipped per scavenge (${skip.skipped} over ${skip.cuts})`);
    t.end();
  });
}

t.test('through ~v8::Unlocker, and through the public API alone', (t) => {
  for (const env of [{ STACKLESS_DIRECT_RESTORE: '0' }, { STACKLESS_DIRECT_RESTORE: '0', STACKLESS_DEBUG_WALK_BYPASS: '0' }]) {
    const result = runSettled([], env);
    expectExit(t, result);
    const skip = report(result);
    t.equal(skip.status, 'on', `${JSON.stringify(env)}: ${skip.reason}`);
    t.ok(skip.skipped > 0, 'settled greenlets were skipped');
  }
  t.end();
});

t.test('in worker threads, and when a worker is terminated', (t) => {
  const finished = runChild(fixture('settled-in-workers.mjs'), ['--expose-gc'], ['finish']);
  expectExit(t, finished);
  t.match(finished.stdout, /settled ok: 2000 greenlets, 30 rounds/);
  const skip = report(finished);
  t.equal(skip.status, 'on', skip.reason);
  t.ok(skip.skipped > 0, 'settled greenlets were skipped in the worker');
  const terminated = runChild(fixture('settled-in-workers.mjs'), ['--expose-gc'], ['terminate']);
  expectExit(t, terminated);
  t.match(terminated.stdout, /terminated a worker with settled greenlets/);
  t.end();
});

t.test('collections that are not scavenges walk every greenlet', (t) => {
  // All collections are mark-compacts here; with young-generation marking no
  // scavenge runs at all (the skip acts on scavenges only).
  const minorMarking = supports('--minor-ms') ? '--minor-ms' : '--minor-mc';
  for (const flags of [['--stress-compaction'], [minorMarking]]) {
    const result = runSettled(flags);
    expectExit(t, result);
    t.match(result.stdout, /settled ok/, flags.join(' '));
    const skip = report(result);
    t.equal(skip.cuts, 0, `${flags.join(' ')}: no cut`);
  }
  t.end();
});

t.test('STACKLESS_SCAVENGE_SKIP=0 turns it off', (t) => {
  const result = runSettled([], { STACKLESS_SCAVENGE_SKIP: '0' });
  expectExit(t, result);
  const skip = report(result);
  t.equal(skip.status, 'off');
  t.equal(skip.reason, 'STACKLESS_SCAVENGE_SKIP=0');
  t.equal(skip.cuts, 0);
  t.ok(skip.scavenges > 0, 'scavenges are still counted');
  t.end();
});

// V8 13 and later offer object pinning, under which a survivor may stay young.
const pinningFlag = ['--scavenger-precise-object-pinning', '--precise-object-pinning'].find((flag) => supports(flag));
t.test(`object pinning turns it off${pinningFlag ? '' : ' (this V8 has no pinning option: only the default is checked)'}`, (t) => {
  if (pinningFlag !== undefined) {
    const result = runSettled([pinningFlag]);
    expectExit(t, result);
    const skip = report(result);
    t.equal(skip.status, 'off');
    t.match(skip.reason, pinningFlag);
    t.equal(skip.cuts, 0);
  }
  t.not(diagnostics.shortcuts().scavengeSkip.status, 'off', 'without such an option it is not off');
  t.end();
});

t.test('setShortcut(scavengeSkip): on, off with a reason, typed errors', (t) => {
  try {
    core.setShortcut('scavengeSkip', false, 'for a test');
    t.same([diagnostics.shortcuts().scavengeSkip.status, diagnostics.shortcuts().scavengeSkip.reason], ['off', 'for a test']);
    core.setShortcut('scavengeSkip', false);
    t.equal(diagnostics.shortcuts().scavengeSkip.reason, 'disabled by request');
  } finally {
    core.setShortcut('scavengeSkip', true);
  }
  t.not(diagnostics.shortcuts().scavengeSkip.status, 'off');
  t.equal(diagnostics.shortcuts().scavengeSkip.reason, '');
  t.throws(() => core.setShortcut('scavengeSkip', 'yes' as never), TypeError);
  t.throws(() => core.setShortcut('scavengeSkip', false, 42 as never), TypeError);
  t.not(diagnostics.shortcuts().scavengeSkip.status, 'off', 'a refused call changes nothing');
  t.end();
});
