// skynet (github.com/atemerev/skynet): a 10-ary tree of tasklets, `leaves`
// at the bottom. Each leaf sends its number to its parent over the parent's
// channel; each parent sums what its children send and sends that up. The
// root's sum is 0 + 1 + ... + (leaves - 1). It is the fan-out/fan-in pattern
// (spawn workers, collect their results) at scale: every tasklet starts
// fresh with its own arguments, and every value is received exactly once.
//
// With Stackless' default preference (-1) a leaf that sends to its waiting
// parent hands over and goes to the end of the run queue, behind every other
// leaf, so each leaf stays parked (on its stack) until the ring comes round:
// that is Stackless' rule, and what the unbuffered run measures. A buffer of
// one slot per child and preference 0 let a leaf finish as soon as it has
// sent, the behaviour Go's scheduler gives its unbuffered version.
//
//   node test/dist/apps/skynet.js [leaves] [capacity] [preference]
//   (defaults 1,000,000 leaves, unbuffered, preference -1)
import { Channel } from '@stackless/channels';
import { tasklet } from '@stackless/tasklets';
import { fileURLToPath } from 'node:url';

/** How each parent's channel is made. */
export interface SkynetOptions {
  /** Children per node (default 10). */
  branching?: number;
  /** Capacity of each parent's channel (default 0, unbuffered). */
  capacity?: number;
  /** Preference of each parent's channel (default -1, Stackless'). */
  preference?: number;
}

/** One node of the tree: the numbers `first` to `first + size - 1` below it. */
function node(parent: Channel<number>, first: number, size: number, options: Required<SkynetOptions>): void {
  if (size === 1) {
    parent.send(first);
    return;
  }
  const { branching, capacity, preference } = options;
  const children = new Channel<number>({ capacity });
  children.preference = preference;
  const childSize = size / branching;
  for (let i = 0; i < branching; i++) tasklet(node)(children, first + i * childSize, childSize, options);
  let sum = 0;
  for (let i = 0; i < branching; i++) sum += children.receive();
  parent.send(sum);
}

/**
 * Runs skynet over `leaves` leaves (a power of `branching`) from the calling
 * tasklet and returns the root's sum.
 */
export function skynet(leaves: number, { branching = 10, capacity = 0, preference = -1 }: SkynetOptions = {}): number {
  if (!Number.isInteger(branching) || branching < 2) throw new RangeError(`branching must be a whole number >= 2, not ${branching}`);
  let size = leaves;
  while (size > 1 && size % branching === 0) size /= branching;
  if (!Number.isInteger(leaves) || leaves < 1 || size !== 1) {
    throw new RangeError(`skynet needs a power of ${branching} leaves, not ${leaves}`);
  }
  const root = new Channel<number>();
  tasklet(node)(root, 0, leaves, { branching, capacity, preference });
  return root.receive();
}

/** 0 + 1 + ... + (leaves - 1): what skynet must answer. */
export function expectedSum(leaves: number): number {
  return (leaves * (leaves - 1)) / 2;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [leaves = 1_000_000, capacity = 0, preference = -1] = process.argv.slice(2).map(Number);
  const start = performance.now();
  const sum = skynet(leaves, { capacity, preference });
  const ms = performance.now() - start;
  const ok = sum === expectedSum(leaves);
  console.log(`skynet ${leaves.toLocaleString('en')} leaves: sum ${sum} (${ok ? 'right' : `WRONG, expected ${expectedSum(leaves)}`}) in ${ms.toFixed(0)} ms`);
  if (!ok) process.exitCode = 1;
}
