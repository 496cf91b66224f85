// The check every tasklet suite makes after each test: run the scheduler dry;
// then only main may be runnable, and no greenlet may be left live.
import { getruncount, run } from '@stackless/tasklets';
import { stats } from '@stackless/greenlet';
import type { Test } from 'tap';
import { expectNoLiveGreenlets } from './greenlets.js';

/** Runs the scheduler until main is alone, then asserts that only main is runnable; `after` names the test checked. */
export function expectOnlyMainRunnable(t: Test, after?: string): void {
  run();
  t.equal(getruncount(), 1, `only main is left runnable${after === undefined ? '' : ` by "${after}"`}`);
}

/**
 * After every subtest of `t`: {@link expectOnlyMainRunnable}, and no greenlet
 * (a tasklet's) left live that was not live before the subtest. The
 * assertions go to `t`: the subtest has ended when its afterEach runs.
 */
export function checkTaskletsAfterEach(t: Test): void {
  let baseline = 0;
  t.beforeEach(() => {
    baseline = stats().live;
  });
  t.afterEach((ended) => {
    expectOnlyMainRunnable(t, ended.name);
    expectNoLiveGreenlets(t, baseline, ended.name);
  });
}
