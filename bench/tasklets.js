// Tasklet scheduler benchmarks against a generator-based round-robin
// scheduler measured in the same run. Usage: pnpm bench
import { run, schedule, tasklet } from '@stackless/tasklets';
import { nsPerOp, printTable, settleSwitchShortcuts } from './measure.js';

settleSwitchShortcuts();

/**
 * Two tasklets passing control with schedule() while main waits in run():
 * as in Stackless, main leaves the round-robin meanwhile, so each cycle is
 * two switches. Reported per schedule() (one switch).
 */
function scheduleSwitch() {
  const perCycle = nsPerOp((n) => {
    const bounce = () => {
      for (let i = 0; i < n; i++) schedule();
    };
    tasklet(bounce)();
    tasklet(bounce)();
    run();
  }, { ops: 100_000 });
  return perCycle / 2;
}

/** 10,000 tasklets each scheduling `rounds` times: ns per schedule(). */
function roundRobin(count = 10_000, rounds = 10) {
  return nsPerOp((n) => {
    const perTasklet = Math.max(1, Math.round(n / count));
    for (let i = 0; i < count; i++) {
      tasklet(() => {
        for (let r = 0; r < perTasklet; r++) schedule();
      })();
    }
    run();
  }, { ops: count * rounds, batches: 5 });
}

/** The baseline: the same round-robin with generators as tasks. */
function generatorRoundRobin(count, rounds) {
  return nsPerOp((n) => {
    const perTask = Math.max(1, Math.round(n / count));
    const queue = [];
    for (let i = 0; i < count; i++) {
      queue.push((function* task() {
        for (let r = 0; r < perTask; r++) yield;
      })());
    }
    while (queue.length > 0) {
      const task = queue.shift();
      if (!task.next().done) queue.push(task);
    }
  }, { ops: count * rounds, batches: 5 });
}

const pairNs = scheduleSwitch();
const pairGeneratorNs = generatorRoundRobin(2, 50_000);
const manyNs = roundRobin();
const manyGeneratorNs = generatorRoundRobin(10_000, 10);

const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
console.log(`\nstackless tasklet benchmarks: node ${process.version}, ${process.arch}`);
printTable('Scheduling', [
  ['schedule(), 2 tasklets (main waits in run())', pairNs, 'ns/op'],
  ['generator round-robin, 2 tasks (baseline)', pairGeneratorNs, 'ns/op', `tasklets / generators = ${ratio(pairNs, pairGeneratorNs)}`],
  ['schedule(), 10,000 tasklets round-robin', manyNs, 'ns/op'],
  ['generator round-robin, 10,000 tasks (baseline)', manyGeneratorNs, 'ns/op', `tasklets / generators = ${ratio(manyNs, manyGeneratorNs)}`],
]);
