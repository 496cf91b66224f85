// User callbacks that throw in the middle of scheduler operations (a switch,
// a channel transfer) never cut them short: every value is delivered exactly
// once, no send reports failure for a value that arrived, and the error is
// still reported. Expected behaviour: Stackless prints a failing schedule
// callback's error and goes on (slp_call_schedule_fasthook); Node's
// diagnostics_channel rethrows a subscriber's error on the next tick; a
// tracer's error is thrown in the greenlet resuming (greenlet), which for a
// tasklet that is starting means it dies with it before running.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runProcess } from '@stackless/test-support';

const fixture = fileURLToPath(new URL('./fixtures/faults.mjs', import.meta.url));

function runCase(mode: string) {
  const child = runProcess(process.execPath, [fixture, mode], { timeout: 60_000 });
  return { child, report: JSON.parse(child.stdout.trim() || '{}') as Record<string, unknown> };
}

const clean = { sendErrors: [], receiveErrors: [], balance: 0, runCount: 1, currentIsMain: true };

const cases: Array<[string, string, Record<string, unknown>]> = [
  ['schedule-callback', 'a schedule callback that throws during a channel ping-pong', { received: [0, 1, 2], uncaught: ['schedule callback failed'], runError: null }],
  ['blocked-listener', "a 'blocked' listener that throws as the receiver blocks", { received: [0, 1, 2], uncaught: ['blocked listener failed'], runError: null }],
  ['scheduled-listener', "a 'scheduled' listener that throws as a send wakes the receiver", { received: [0, 1, 2], uncaught: ['scheduled listener failed'], runError: null }],
  ['created-listener', "a 'created' listener that throws: the tasklet is still created and set up", { ran: ['first', 'second'], uncaught: ['created listener failed'], runError: null }],
  ['tracer-on-resume', 'a tracer that throws as a receiver resumes with its value', { received: [0, 1, 2], uncaught: ['tracer failed'], runError: null }],
  ['tracer-on-start', 'a tracer that throws as run() starts a tasklet: it dies with the error, raised in main', { ran: ['second'], uncaught: [], runError: 'tracer failed at a start' }],
  ['tracer-on-start-by-an-end', 'a tracer that throws as a tasklet that ends starts the next one', { ran: ['first', 'second'], uncaught: [], runError: 'tracer failed at a start by an end' }],
  ['tracer-on-start-by-a-tasklet', 'a tracer that throws as a blocking tasklet starts another', { received: [0, 1], ran: [], uncaught: [], runError: 'tracer failed at a start by a tasklet' }],
];

for (const [mode, title, expected] of cases) {
  t.test(title, (t) => {
    const { child, report } = runCase(mode);
    t.equal(child.signal, null, child.stderr);
    t.equal(child.status, 0, child.stderr);
    t.match(report, { ...clean, ...expected });
    t.same(report.uncaught, expected.uncaught, 'reported exactly once');
    if (expected.received !== undefined) t.same(report.received, expected.received, 'each value once, in order');
    t.end();
  });
}

t.test('worker.terminate() at random points of a tasklet workload, while main switches too', (t) => {
  const script = fileURLToPath(new URL('./fixtures/terminate-at-random.mjs', import.meta.url));
  const seed = 20261202;
  const child = runProcess(process.execPath, [script, '20', String(seed)], { timeout: 120_000 });
  t.equal(child.signal, null, `no crash (seed ${seed})\n${child.stderr}`);
  t.equal(child.status, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim()) as { codes: number[]; progress: number[]; mainRounds: number; mainOk: boolean };
  t.same(report.codes, Array(20).fill(1), 'every worker was terminated');
  t.ok(report.progress.every((steps) => steps >= 1), 'each was stopped while its tasklets ran');
  t.ok(report.mainOk, `main's ${report.mainRounds} ping-pongs each got the right value`);
  t.end();
});
