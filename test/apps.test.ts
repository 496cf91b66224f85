// The example apps run to completion and compute the right thing.
import t from 'tap';
import { getruncount } from '@stackless/tasklets';
import { playHackeysack } from './apps/hackeysack.js';
import { primes } from './apps/prime-sieve.js';

function primesByTrialDivision(count: number): number[] {
  const found: number[] = [];
  for (let n = 2; found.length < count; n++) if (found.every((p) => n % p !== 0)) found.push(n);
  return found;
}

t.test('concurrent prime sieve: the first 1,000 primes through 1,000 filter tasklets', (t) => {
  t.same(primes(1000), primesByTrialDivision(1000));
  t.equal(getruncount(), 1, 'every filter tasklet was stopped');
  t.end();
});

t.test('hackeysack: 10,000 players kick a ball 100,000 times, then all go home', (t) => {
  const result = playHackeysack(10_000, 100_000);
  t.equal(result.kicks, 100_000);
  t.equal(result.kicksByPlayer.reduce((sum, n) => sum + n, 0), 100_000, 'every kick counted once');
  t.ok(result.kicksByPlayer.filter((n) => n > 0).length > 9000, 'the ball went around the circle');
  t.equal(getruncount(), 1, 'every player went home');
  t.end();
});
