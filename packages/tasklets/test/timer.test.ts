// Timeouts of any finite length: setTimeout() alone fires after 1 ms when
// asked for more than 2^31 - 1 ms.
import t from 'tap';
import { getruncount, run, sleep, startTimer, tasklet } from '@stackless/tasklets';

const LONGEST = 2 ** 31 - 1;

t.test('a delay past 2^31 - 1 ms is waited out in steps setTimeout() can take', (t) => {
  const realSetTimeout = globalThis.setTimeout;
  const realNow = performance.now;
  let now = 1000;
  const steps: number[] = [];
  let pending: (() => void) | undefined;
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    steps.push(ms);
    pending = fn;
    return realSetTimeout(() => {}, 0);
  }) as typeof setTimeout;
  performance.now = () => now;
  let fired = 0;
  try {
    startTimer(LONGEST + 6, () => fired++);
    t.same(steps, [LONGEST]);
    now += LONGEST;
    pending!();
    t.same(steps, [LONGEST, 6], 'the rest of the delay');
    t.equal(fired, 0);
    now += 6;
    pending!();
    t.equal(fired, 1);
    steps.length = 0;
    startTimer(25, () => fired++);
    t.same(steps, [25], 'a short delay is one setTimeout()');
  } finally {
    globalThis.setTimeout = realSetTimeout;
    performance.now = realNow;
  }
  t.end();
});

t.test('startTimer() refuses delays that are not finite numbers >= 0, and a callback that is no function', (t) => {
  for (const ms of [-1, Infinity, NaN]) {
    t.throws(() => startTimer(ms, () => {}), RangeError, String(ms));
  }
  for (const ms of ['5', undefined, {}, Object.create(null)]) {
    t.throws(() => startTimer(ms as number, () => {}), TypeError, typeof ms);
  }
  t.throws(() => startTimer(5, 'later' as unknown as () => void), { name: 'TypeError', message: /function to call, not "later"/ });
  t.end();
});

t.test('sleep() past 2^31 - 1 ms does not end early', async (t) => {
  let woke = false;
  const sleeper = tasklet(() => {
    sleep(2 ** 31);
    woke = true;
  })();
  run();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.notOk(woke, 'still asleep after 100 ms');
  sleeper.kill();
  t.equal(getruncount(), 1);
  t.end();
});
