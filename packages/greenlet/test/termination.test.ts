// Termination requests and process exits that happen inside greenlets.
import t from 'tap';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

t.test('a vm timeout inside a greenlet terminates only that script', (t) => {
  const result = runChild(fixture('termination.mjs'), [], ['vm-timeout']);
  expectExit(t, result);
  t.same(JSON.parse(result.stdout.trim()), [
    'ERR_SCRIPT_EXECUTION_TIMEOUT',
    'ERR_SCRIPT_EXECUTION_TIMEOUT',
    'ERR_SCRIPT_EXECUTION_TIMEOUT',
    true,
  ]);
  t.end();
});

t.test('process.exit inside a greenlet exits cleanly with its code', (t) => {
  const result = runChild(fixture('termination.mjs'), [], ['exit-inside']);
  expectExit(t, result, 7);
  t.equal(result.stdout.trim(), 'exit handler ran');
  t.end();
});

t.test('an error escaping to main is an ordinary uncaught exception', (t) => {
  const result = runChild(fixture('termination.mjs'), [], ['uncaught-inside']);
  expectExit(t, result, 1);
  t.match(result.stderr, /escaped the greenlet/);
  t.end();
});

t.test('worker.terminate() while a greenlet runs in the worker', (t) => {
  const result = runChild(fixture('worker-terminate.mjs'), [], ['spin-in-greenlet']);
  expectExit(t, result);
  t.same(JSON.parse(result.stdout.trim()), Array(3).fill(['spinning with 50 parked', 1]));
  t.end();
});

t.test('worker.terminate() while greenlets are parked in the worker', (t) => {
  const result = runChild(fixture('worker-terminate.mjs'), [], ['spin-in-main']);
  expectExit(t, result);
  t.same(JSON.parse(result.stdout.trim()), Array(3).fill(['main spinning with 50 parked', 1]));
  t.end();
});

t.test('worker.terminate() while greenlets switch without end stops the worker', (t) => {
  // Termination must not be lost between one greenlet and the next, nor
  // turned into a refused call that the switching loop ignores.
  const result = runChild(fixture('terminate-while-switching.mjs'));
  expectExit(t, result);
  const { codes, paths } = JSON.parse(result.stdout.trim() || '{}') as {
    codes: unknown[];
    paths: Array<{ direct: string; archivesByComponent: boolean }>;
  };
  t.same(codes, Array(10).fill(1), 'every worker stopped');
  if (process.arch === 'x64') {
    t.same(
      paths,
      Array(10).fill({ direct: 'on', archivesByComponent: true }),
      'each on the direct restore, whose StackGuard copy a termination request must not slip through',
    );
  }
  t.end();
});
