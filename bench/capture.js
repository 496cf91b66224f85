// What seeing inside suspended coroutines costs: Greenlet#captureStack() of a
// parked greenlet (shallow and 20 frames deep) against a switch round trip
// and an in-place `new Error().stack` at the same depth, and dumpTasklets()
// per tasklet at scale. Usage: pnpm run build && node bench/capture.js
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { Channel } from '@stackless/channels';
import { dumpTasklets, run, schedule, setBlockingThreshold, tasklet } from '@stackless/tasklets';
import { nsPerOp, printTable, settleSwitchShortcuts } from './measure.js';

settleSwitchShortcuts();
const main = getcurrent();

function nested(depth, leaf) {
  return depth === 0 ? leaf() : nested(depth - 1, leaf) + 0;
}

function parked(depth) {
  const g = new Greenlet(() => nested(depth, () => main.switch()));
  g.switch();
  return g;
}

const shallow = parked(0);
const deep = parked(20);
const partner = new Greenlet(() => {
  for (;;) main.switch();
});
partner.switch();
const rows = [
  ['switch round trip (baseline)', nsPerOp((n) => { for (let i = 0; i < n; i++) partner.switch(); }), 'ns'],
  ['captureStack(), 2 frames', nsPerOp((n) => { for (let i = 0; i < n; i++) shallow.captureStack(); }, { ops: 50_000 }), 'ns'],
  ['captureStack(), 10 of 22 frames (limit 10)', nsPerOp((n) => { for (let i = 0; i < n; i++) deep.captureStack(); }, { ops: 50_000 }), 'ns'],
  ['new Error().stack, 10 frames, in place', nsPerOp((n) => { for (let i = 0; i < n; i++) nested(8, () => new Error().stack); }, { ops: 50_000 }), 'ns'],
];
// The watchdog's cost: switches and schedule() with it off and on, in turns.
function scheduleRoundTrip() {
  let stop = false;
  tasklet(() => {
    while (!stop) schedule();
  })();
  const ns = nsPerOp((n) => {
    for (let i = 0; i < n; i++) schedule();
  });
  stop = true;
  run();
  return ns;
}
for (const turn of [1, 2]) {
  rows.push([`switch round trip, watchdog off (turn ${turn})`, nsPerOp((n) => { for (let i = 0; i < n; i++) partner.switch(); }), 'ns']);
  setBlockingThreshold(1000);
  rows.push([`switch round trip, watchdog on (turn ${turn})`, nsPerOp((n) => { for (let i = 0; i < n; i++) partner.switch(); }), 'ns']);
  setBlockingThreshold(null);
  rows.push([`schedule() round trip, watchdog off (turn ${turn})`, scheduleRoundTrip(), 'ns']);
  setBlockingThreshold(1000);
  rows.push([`schedule() round trip, watchdog on (turn ${turn})`, scheduleRoundTrip(), 'ns']);
  setBlockingThreshold(null);
}
Error.stackTraceLimit = 30;
rows.push(['captureStack(), 22 frames (limit 30)', nsPerOp((n) => { for (let i = 0; i < n; i++) deep.captureStack(); }, { ops: 50_000 }), 'ns']);
Error.stackTraceLimit = 10;

const count = Number(process.env.DUMP_TASKLETS ?? 100_000);
const channel = new Channel();
for (let i = 0; i < count; i++) tasklet(function blockedWorker() { nested(3, () => channel.receive()); })();
run();
const start = process.hrtime.bigint();
const report = dumpTasklets();
const dumpNs = Number(process.hrtime.bigint() - start) / count;
rows.push([`dumpTasklets() of ${count} blocked tasklets, per tasklet (${(report.length / 1e6).toFixed(1)} MB)`, dumpNs, 'ns']);
printTable('capture', rows);
for (let i = 0; i < count; i++) channel.send(i);
