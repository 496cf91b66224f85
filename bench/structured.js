// Structured concurrency benchmarks (issue 18): a scope with 10 children
// against the same 10 bare tasklets waited for by main, and an uncontended
// Lock acquire/release. Usage: pnpm bench (or node bench/structured.js after
// pnpm run build).
import { Lock, run, scope, tasklet } from '@stackless/tasklets';
import { median, nsPerOp, printTable, settleSwitchShortcuts } from './measure.js';

settleSwitchShortcuts();

const CHILDREN = 10;
const child = () => {};

/** One group of each case: 10 children and the wait for them, from main. */
const groups = {
  /** scope() from main, 10 spawns, and the wait for them. */
  scope() {
    scope((s) => {
      for (let c = 0; c < CHILDREN; c++) s.spawn(child);
    });
  },
  /** The baseline: 10 bare tasklets, run() until they are done. */
  bare() {
    for (let c = 0; c < CHILDREN; c++) tasklet(child)();
    run();
  },
  /** The same scope, with every child joined for its result. */
  joined() {
    scope((s) => {
      const tasks = [];
      for (let c = 0; c < CHILDREN; c++) tasks.push(s.spawn(child));
      for (const task of tasks) task.join();
    });
  },
};

/** ns per group of `name`. */
function timeGroups(name) {
  const group = groups[name];
  return nsPerOp((n) => {
    for (let i = 0; i < n; i++) group();
  }, { ops: 20_000, batches: 3 });
}

// `--count <case> <n>`: run 2,000 groups as a warm-up, then n more, and
// nothing else, for an instruction count under callgrind (docs/structured.md).
const countAt = process.argv.indexOf('--count');
if (countAt >= 0) {
  const group = groups[process.argv[countAt + 1]];
  const n = Number(process.argv[countAt + 2]);
  if (group === undefined || !Number.isInteger(n)) throw new Error(`usage: --count ${Object.keys(groups).join('|')} <iterations>`);
  for (let i = 0; i < 2000 + n; i++) group();
  process.exit(0);
}

function lockUncontended() {
  const lock = new Lock();
  return nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      lock.acquire();
      lock.release();
    }
  }, { ops: 2_000_000 });
}

// The three group cases are timed in turns, round after round, and compared
// within each round, so a change of machine load moves both sides of a ratio.
const ROUNDS = 5;
const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  rounds.push({ scope: timeGroups('scope'), bare: timeGroups('bare'), joined: timeGroups('joined') });
}
const lockNs = lockUncontended();
const middle = (pick) => median(rounds.map(pick));
const scopeNs = middle((r) => r.scope);
const bareNs = middle((r) => r.bare);
const joinedNs = middle((r) => r.joined);
const ratio = (value) => `${value.toFixed(2)}x`;
console.log(`\nstackless structured concurrency benchmarks: node ${process.version}, ${process.arch}`);
printTable(`Scopes and locks (medians of ${ROUNDS} rounds taken in turns; ratios are medians of per-round ratios)`, [
  [`scope() + ${CHILDREN} spawn() + the wait, from main`, scopeNs / 1000, 'µs/op'],
  [`${CHILDREN} bare tasklets + run() (baseline)`, bareNs / 1000, 'µs/op', `scope / bare = ${ratio(middle((r) => r.scope / r.bare))}`],
  [`scope() + ${CHILDREN} spawn() + ${CHILDREN} join()`, joinedNs / 1000, 'µs/op', `scope / bare = ${ratio(middle((r) => r.joined / r.bare))}`],
  ['Lock acquire() + release(), uncontended', lockNs, 'ns/op'],
]);
