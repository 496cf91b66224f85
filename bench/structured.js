// Structured concurrency benchmarks (issue 18): a scope with 10 children
// against the same 10 bare tasklets waited for by main, and an uncontended
// Lock acquire/release. Usage: pnpm bench (or node bench/structured.js after
// pnpm run build).
import { Lock, run, scope, tasklet } from '@stackless/tasklets';
import { nsPerOp, printTable, settleSwitchShortcuts } from './measure.js';

settleSwitchShortcuts();

const CHILDREN = 10;
const child = () => {};

/** scope() from main, 10 spawns, and the wait for them: ns per scope. */
function scopeOfTen() {
  return nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      scope((s) => {
        for (let c = 0; c < CHILDREN; c++) s.spawn(child);
      });
    }
  }, { ops: 20_000 });
}

/** The baseline: 10 bare tasklets, run() until they are done: ns per group. */
function bareTen() {
  return nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < CHILDREN; c++) tasklet(child)();
      run();
    }
  }, { ops: 20_000 });
}

/** The same scope, with every child joined for its result. */
function scopeOfTenJoined() {
  return nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      scope((s) => {
        const tasks = [];
        for (let c = 0; c < CHILDREN; c++) tasks.push(s.spawn(child));
        for (const task of tasks) task.join();
      });
    }
  }, { ops: 20_000 });
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

const scopeNs = scopeOfTen();
const bareNs = bareTen();
const joinedNs = scopeOfTenJoined();
const lockNs = lockUncontended();
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
console.log(`\nstackless structured concurrency benchmarks: node ${process.version}, ${process.arch}`);
printTable('Scopes and locks', [
  [`scope() + ${CHILDREN} spawn() + the wait, from main`, scopeNs / 1000, 'µs/op'],
  [`${CHILDREN} bare tasklets + run() (baseline)`, bareNs / 1000, 'µs/op', `scope / bare = ${ratio(scopeNs, bareNs)}`],
  [`scope() + ${CHILDREN} spawn() + ${CHILDREN} join()`, joinedNs / 1000, 'µs/op', `scope / bare = ${ratio(joinedNs, bareNs)}`],
  ['Lock acquire() + release(), uncontended', lockNs, 'ns/op'],
]);
