// Go's concurrent prime sieve with tasklets and channels: a generator tasklet
// feeds 2, 3, 4, ... into a daisy chain of filter tasklets, one per prime
// found, each passing on only the numbers its prime does not divide.
import { Channel } from '@stackless/channels';
import { type Tasklet, run, tasklet } from '@stackless/tasklets';

function generate(out: Channel<number>): void {
  for (let n = 2; ; n++) out.send(n);
}

function filter(input: Channel<number>, out: Channel<number>, prime: number): void {
  for (;;) {
    const n = input.receive();
    if (n % prime !== 0) out.send(n);
  }
}

/** The first `count` primes, found by a chain of `count` filter tasklets. */
export function primes(count: number): number[] {
  const found: number[] = [];
  const tasks: Tasklet[] = [];
  tasklet(() => {
    let channel = new Channel<number>();
    tasks.push(tasklet(generate)(channel));
    for (let i = 0; i < count; i++) {
      const prime = channel.receive();
      found.push(prime);
      const next = new Channel<number>();
      tasks.push(tasklet(filter)(channel, next, prime));
      channel = next;
    }
    // The chain is endless by design: stop it once we have what we need.
    for (const task of tasks) task.kill();
  })();
  run();
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 100);
  const start = performance.now();
  const result = primes(count);
  const ms = performance.now() - start;
  console.log(`first ${count} primes via ${count} filter tasklets: ... ${result.slice(-5).join(', ')}`);
  console.log(`${ms.toFixed(0)} ms`);
}
