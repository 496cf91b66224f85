// The per-test leak check of Python greenlet's test base class: a test must
// not leave a greenlet started and unfinished.
import { stats } from '@stackless/greenlet';
import type { Test } from 'tap';

/** Asserts that as many greenlets are live (started, not dead) as `baseline`; `after` names the test checked. */
export function expectNoLiveGreenlets(t: Test, baseline = 0, after?: string): void {
  const { live } = stats();
  const beyond = baseline === 0 ? '' : ` beyond the ${baseline} before`;
  t.equal(live, baseline, `no greenlet left live${beyond}${after === undefined ? '' : ` by "${after}"`}`);
}

/**
 * Checks after every subtest of `t` that it left no greenlet live that was
 * not live before it. The assertion goes to `t`: the subtest has ended when
 * its afterEach runs.
 */
export function checkGreenletsAfterEach(t: Test): void {
  let baseline = 0;
  t.beforeEach(() => {
    baseline = stats().live;
  });
  t.afterEach((ended) => expectNoLiveGreenlets(t, baseline, ended.name));
}
