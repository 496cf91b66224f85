// The hash pipeline (test/apps/hash-pipeline.ts: a reader on the main thread,
// N hashing worker threads, a writer on the main thread, over WorkerChannels)
// with 1 and with 2 workers, in pairs taken in turns in the same run (the
// order flipped each pair, so drift in machine load hits both sides). Prints
// each time (wall clock, and the CPU time of all the process's threads: the
// same CPU time for 1 and 2 workers means the stage's work split without
// overhead; the main thread's busy share shows whether it could hold the
// workers up), the median of the pairs' speed-ups, and issue 20's goal.
// Usage: node bench/pipeline.js [pairs] [rounds] [chunks] [chunkKiB]   (5, 4000, 64, 16)
import { loadavg } from 'node:os';
import { median } from './measure.js';

const app = new URL('../test/dist/apps/hash-pipeline.js', import.meta.url).href;
const { hashPipeline, writeSampleFile } = await import(app);

const pairs = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 4000);
const chunks = Number(process.argv[4] ?? 64);
const chunkBytes = Number(process.argv[5] ?? 16) * 1024;
const GOAL = 1.6;

const sample = writeSampleFile(chunks * chunkBytes);
let reference;
/**
 * Wall-clock ms of one pipeline run, the CPU ms the process (all its
 * threads) used meanwhile, and the share of the run the main thread (reader
 * and writer) was busy; checks the output against the first run's.
 */
async function timed(workers) {
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const start = performance.now();
  const digests = await hashPipeline(sample.path, { workers, chunkBytes, rounds });
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const mainBusy = performance.eventLoopUtilization(loopBefore).utilization;
  reference ??= digests;
  if (Buffer.compare(digests, reference) !== 0) throw new Error(`the ${workers}-worker run's digests differ from the first run's`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, mainBusy };
}

try {
  const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');
  const startLoad = loadavg()[0];
  console.log(`hash pipeline: ${chunks} chunks of ${chunkBytes / 1024} KiB, ${rounds} SHA-256 rounds each; load average before: ${load()}`);
  await timed(1); // warm up: the app's modules, the first workers, the file in the page cache
  const ratios = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? [1, 2] : [2, 1];
    const ms = {};
    const cpu = {};
    const busy = {};
    for (const workers of order) ({ ms: ms[workers], cpuMs: cpu[workers], mainBusy: busy[workers] } = await timed(workers));
    ratios.push(ms[1] / ms[2]);
    const run = (workers) =>
      `${workers} worker${workers > 1 ? 's' : ''} ${ms[workers].toFixed(0)} ms (CPU ${cpu[workers].toFixed(0)} ms, main busy ${(busy[workers] * 100).toFixed(1)}%)`;
    console.log(`  pair ${pair + 1} (${order.join(' then ')}): ${run(1)}, ${run(2)}, speed-up ${(ms[1] / ms[2]).toFixed(2)}x`);
  }
  const speedUp = median(ratios);
  console.log(`median speed-up, 2 workers over 1: ${speedUp.toFixed(2)}x (of ${pairs} pairs); load average after: ${load()}`);
  console.log(`Done-when goal (issue 20), 2 workers >= ${GOAL}x 1 worker: ${speedUp >= GOAL ? 'met' : 'not met'}`);
  // Another job on the machine takes the second worker's core: such a run tells nothing about the goal.
  // (The load average after the run counts this benchmark's own threads.)
  if (startLoad > 0.5) console.log(`  (the machine was not idle: 1-minute load average ${startLoad.toFixed(2)} at the start; measure again on an idle machine)`);
} finally {
  sample.remove();
}
