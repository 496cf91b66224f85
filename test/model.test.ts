// Model-based property tests (issue 13): random programs of main and
// tasklets on a few channels run on the real packages and on the reference
// model (test/model), and must leave the same trace. A failure prints the
// shrunk program as a ready-to-paste tap test. Longer runs:
// `node scripts/model-check.js --runs 100000 --seed N` (after `pnpm run build`).
import t, { type Test } from 'tap';
import { getcurrent, getmain, getruncount } from '@stackless/tasklets';

import { type CheckResult, checkPrograms, compare } from './model/check.js';
import { runModel } from './model/model.js';
import type { Op, Program } from './model/program.js';

const FIXED_SEED = 20261202;
// Programs with scopes and synchronisation run about 1.5 times longer than the channel-only ones
// did at 2000: 1300 keeps the CI time of this file about the same.
const PROGRAMS = 1300;

/** A failure's report (traces, regression test) goes out as comments, line by line, so it can be read and pasted. */
function report(t: Test, result: CheckResult): void {
  if (!result.failed) {
    t.pass(`${result.numRuns} programs agree (seed ${result.seed})`);
    return;
  }
  t.comment(result.report ?? 'no report');
  t.fail(`a program disagrees with the model (seed ${result.seed}): the shrunk program and a regression test are above`);
}

const spawn = (target: string): Op => ({ kind: 'spawn', target, mode: 'setup' });
const child = (target: string): Op => ({ kind: 'spawn', target, mode: 'child' });
const receive: Op = { kind: 'receive', channel: 0 };

t.test('the model follows Stackless on hand-written programs', async (t) => {
  t.test('run() of a runnable tasklet turns the ring: b, c, main, a', (t) => {
    const program: Program = {
      channels: [{ capacity: 0, preference: -1 }],
      permits: 1,
      tasklets: [
        { name: 'T1', args: [], ops: [] },
        { name: 'T2', args: [], ops: [] },
        { name: 'T3', args: [], ops: [] },
      ],
      main: [spawn('T1'), spawn('T2'), spawn('T3'), { kind: 'run', target: 'T2' }],
    };
    const starts = runModel(program).filter((line) => / start |^main #3 -> /.test(line));
    t.same(starts, ['T2 start () this=ok', 'T3 start () this=ok', 'main #3 -> ok', 'T1 start () this=ok']);
    t.end();
  });

  t.test('preference -1: the sender runs again only after every tasklet already runnable', (t) => {
    const receiver: Op[] = [{ kind: 'receive', channel: 0 }];
    const program: Program = {
      channels: [{ capacity: 0, preference: -1 }],
      permits: 1,
      tasklets: [
        { name: 'T1', args: [], ops: receiver },
        { name: 'T2', args: [], ops: receiver },
        { name: 'T3', args: [], ops: [{ kind: 'getruncount' }] },
      ],
      main: [spawn('T1'), spawn('T2'), { kind: 'runAll' }, spawn('T3'), { kind: 'send', channel: 0 }, { kind: 'send', channel: 0 }],
    };
    const order = runModel(program).filter((line) => /^(T\d #0 -> |main #[45] -> )/.test(line));
    t.same(order, ['T1 #0 -> ok "main.4"', 'T3 #0 -> ok 2', 'main #4 -> ok', 'T2 #0 -> ok "main.5"', 'main #5 -> ok']);
    t.end();
  });

  t.test('the last tasklet ending while main is blocked gives main DeadlockError; main is runnable again', (t) => {
    const program: Program = {
      channels: [{ capacity: 0, preference: -1 }],
      permits: 1,
      tasklets: [{ name: 'T1', args: [4, 2], ops: [{ kind: 'schedule', withValue: true }] }],
      main: [spawn('T1'), { kind: 'receive', channel: 0 }, { kind: 'getruncount' }],
    };
    const trace = runModel(program);
    t.ok(trace.includes('T1 start (4,2) this=ok'));
    t.ok(trace.includes('main #1 -> threw DeadlockError'));
    t.ok(trace.includes('main #2 -> ok 1'));
    t.end();
  });

  t.test('close() wakes waiting receivers in order; a waiting sender stays and is still received from', (t) => {
    const program: Program = {
      channels: [{ capacity: 0, preference: 0 }],
      permits: 1,
      tasklets: [
        { name: 'T1', args: [], ops: [{ kind: 'receive', channel: 0 }] },
        { name: 'T2', args: [], ops: [{ kind: 'select', cases: [{ channel: 0, sending: false }], withDefault: false, pick: 0 }] },
      ],
      main: [spawn('T1'), spawn('T2'), { kind: 'runAll' }, { kind: 'close', channel: 0 }, { kind: 'runAll' }],
    };
    const ends = runModel(program).filter((line) => /^T\d #0 -> /.test(line));
    t.same(ends, ['T1 #0 -> threw ChannelClosedError', 'T2 #0 -> ok {index:0,closed}']);
    t.end();
  });
});

t.test('the model follows docs/structured.md on hand-written scopes', async (t) => {
  t.test('a child failing cancels its blocked sibling and the body, and scope() throws the error once', (t) => {
    const program: Program = {
      channels: [{ capacity: 0, preference: -1 }],
      permits: 1,
      tasklets: [
        { name: 'T1', args: [], ops: [receive] },
        { name: 'T2', args: [], ops: [{ kind: 'fail' }] },
      ],
      main: [{ kind: 'scopeBegin' }, child('T1'), child('T2'), receive, { kind: 'scopeEnd' }],
    };
    const trace = runModel(program);
    t.ok(trace.includes('failed T2 FailError'));
    t.ok(trace.includes('T1 #0 -> threw TaskletExit'), 'the sibling is cancelled where it blocks');
    t.ok(trace.includes('main #3 -> threw TaskletExit'), 'so is the body');
    t.same(trace.filter((line) => line.startsWith('main #0 ')), ['main #0 scope', 'main #0 body finally', 'main #0 -> threw FailError']);
    t.ok(trace.indexOf('finished T1') < trace.indexOf('main #0 -> threw FailError'), 'no child outlives its scope');
    t.ok(trace.indexOf('T1 #0 -> threw TaskletExit') < trace.indexOf('T1 finally'), 'the cancelled child runs its finally block');
    t.ok(trace.indexOf('T1 finally') < trace.indexOf('finished T1'), 'before it is dead');
    t.ok(trace.includes('main #0 body finally'), 'and so does the body');
    t.end();
  });

  t.test('cancelling the outer scope cancels the inner one, which throws TaskletExit; the outer returns', (t) => {
    const program: Program = {
      channels: [{ capacity: 0, preference: -1 }],
      permits: 1,
      tasklets: [{ name: 'T1', args: [], ops: [{ kind: 'scopeBegin' }, receive, { kind: 'scopeEnd' }] }],
      main: [{ kind: 'scopeBegin' }, child('T1'), { kind: 'schedule', withValue: false }, { kind: 'cancel', level: 0 }, { kind: 'scopeEnd' }],
    };
    const trace = runModel(program);
    t.ok(trace.includes('T1 #1 -> threw TaskletExit'));
    t.ok(trace.includes('T1 #0 -> threw TaskletExit'), 'the inner scope() throws TaskletExit');
    t.ok(trace.includes('main #0 -> ok'), 'the cancelled scope returns undefined');
    t.end();
  });

  t.test('a Lock is handed to its waiters in the order they came', (t) => {
    const worker: Op[] = [{ kind: 'lockAcquire' }, { kind: 'schedule', withValue: false }, { kind: 'lockRelease' }];
    const program: Program = {
      channels: [{ capacity: 0, preference: -1 }],
      permits: 1,
      tasklets: ['T1', 'T2', 'T3'].map((name) => ({ name, args: [], ops: worker })),
      main: [spawn('T1'), spawn('T2'), spawn('T3')],
    };
    const acquired = runModel(program).filter((line) => /^T\d #0 -> /.test(line));
    t.same(acquired, ['T1 #0 -> ok true', 'T2 #0 -> ok true', 'T3 #0 -> ok true']);
    t.end();
  });
});

t.test(`${PROGRAMS} generated programs agree with the model (fixed seed ${FIXED_SEED})`, (t) => {
  const result = checkPrograms({ numRuns: PROGRAMS, seed: FIXED_SEED });
  report(t, result);
  t.equal(getcurrent(), getmain(), 'main runs after the programs');
  t.equal(getruncount(), 1, 'no tasklet is left over');
  t.end();
});

t.test('generated programs agree with the model (a random seed)', (t) => {
  const seed = (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  t.comment(`random seed ${seed}: replay with node scripts/model-check.js --runs ${PROGRAMS / 2} --seed ${seed}`);
  const result = checkPrograms({ numRuns: PROGRAMS / 2, seed });
  report(t, result);
  t.end();
});

t.test('the check catches a scheduler that resumes the caller right after the preferred side', (t) => {
  // The model with the pre-issue-13 rule stands in for a broken scheduler:
  // the property must fail and shrink to a small program.
  const result = checkPrograms({ numRuns: PROGRAMS, seed: FIXED_SEED, accepted: new Set(['preference-caller-right-behind'] as const) });
  t.ok(result.failed, 'the mutant is caught');
  const program = result.counterexample;
  t.ok(program !== undefined, 'with a counterexample');
  if (program !== undefined) {
    const ops = program.main.length + program.tasklets.reduce((n, s) => n + s.ops.length, 0);
    t.ok(ops <= 12, `shrunk to ${ops} ops`);
    t.ok(compare(program).at === -1, 'on which the real packages agree with the unbroken model');
    t.match(result.report, /t\.test\(/, 'printed as a tap test');
  }
  t.end();
});
