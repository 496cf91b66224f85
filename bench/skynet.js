// skynet at scale (github.com/atemerev/skynet): 1,111,111 tasklets, against
// async functions with Promise.all and Go's goroutines (GOMAXPROCS=1) in the
// same run. Each run is a fresh process, so its peak RSS is its own; the
// configurations are taken in turns, and each figure is the median of its
// rounds. Usage: node bench/skynet.js [leaves] [rounds]   (1,000,000, 3)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printGoals, printTable } from './measure.js';

const leaves = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);
const expected = (leaves * (leaves - 1)) / 2;
const app = new URL('../test/dist/apps/skynet.js', import.meta.url).href;

/** Runs `program` (an ES module body that sets `sum`) in a fresh node; returns { ms, rssMiB }. */
function inNode(program) {
  const source = `
    let sum;
    const start = performance.now();
    ${program}
    const ms = performance.now() - start;
    console.log(JSON.stringify({ sum, ms, rssMiB: process.resourceUsage().maxRSS / 1024 }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return parse(result);
}

function parse(result) {
  if (result.status !== 0) throw new Error(`skynet run failed: ${result.stderr || result.signal}`);
  const { sum, ms, rssMiB } = JSON.parse(result.stdout);
  if (sum !== expected) throw new Error(`skynet answered ${sum}, not ${expected}`);
  return { ms, rssMiB };
}

const tasklets = (options) => () =>
  inNode(`const { skynet } = await import(${JSON.stringify(app)}); sum = skynet(${leaves}, ${JSON.stringify(options)});`);

const asyncAwait = () =>
  inNode(`
    async function node(first, size) {
      if (size === 1) return first;
      const children = [];
      for (let i = 0; i < 10; i++) children.push(node(first + i * (size / 10), size / 10));
      let total = 0;
      for (const value of await Promise.all(children)) total += value;
      return total;
    }
    sum = await node(0, ${leaves});
  `);

function buildGo() {
  const source = fileURLToPath(new URL('./go/skynet.go', import.meta.url));
  const binary = join(mkdtempSync(join(tmpdir(), 'stackless-skynet-')), 'skynet');
  const result = spawnSync('go', ['build', '-o', binary, source], {
    encoding: 'utf8',
    env: { ...process.env, GO111MODULE: 'off' },
  });
  return result.status === 0 ? binary : undefined;
}

const goBinary = buildGo();
const go = () => {
  const result = spawnSync('/usr/bin/time', ['-f', '%M', goBinary, String(leaves)], {
    encoding: 'utf8',
    env: { ...process.env, GOMAXPROCS: '1' },
  });
  if (result.status !== 0) throw new Error(`go skynet failed: ${result.stderr}`);
  const { sum, ms } = JSON.parse(result.stdout);
  if (sum !== expected) throw new Error(`go skynet answered ${sum}, not ${expected}`);
  return { ms, rssMiB: Number(result.stderr.trim().split('\n').at(-1)) / 1024 };
};

const configurations = [
  ['tasklets, a slot per child, preference 0', tasklets({ capacity: 10, preference: 0 })],
  ['async functions + Promise.all (baseline)', asyncAwait],
  ...(goBinary ? [['Go goroutines, GOMAXPROCS=1 (anchor)', go]] : []),
];
const samples = configurations.map(() => []);
for (let round = 0; round < rounds; round++) {
  configurations.forEach(([, measure], i) => samples[i].push(measure()));
}
// Stackless' default rule parks every leaf until the ring comes round: one run.
const unbuffered = tasklets({ capacity: 0, preference: -1 })();
if (goBinary) rmSync(dirname(goBinary), { recursive: true, force: true });

const summary = samples.map((runs) => ({ ms: median(runs.map((r) => r.ms)), rssMiB: median(runs.map((r) => r.rssMiB)) }));
const anchor = goBinary ? summary[2] : summary[1];
const anchorName = goBinary ? 'Go' : 'async';
console.log(`\nstackless skynet: node ${process.version}, ${process.arch}, ${leaves.toLocaleString('en')} leaves`);
printTable(`skynet, median of ${rounds} runs taken in turns`, [
  ...configurations.map(([name], i) => [
    name,
    summary[i].ms,
    'ms',
    `peak RSS ${summary[i].rssMiB.toFixed(0)} MiB; ${(summary[i].ms / anchor.ms).toFixed(2)}x ${anchorName}'s time`,
  ]),
  [
    'tasklets, unbuffered, preference -1 (one run)',
    unbuffered.ms,
    'ms',
    `peak RSS ${unbuffered.rssMiB.toFixed(0)} MiB: every leaf stays parked until its turn comes round`,
  ],
]);
// Ratios per round (the configurations ran back to back), then the median.
const perRound = (i, j) => (samples[j] ? median(samples[i].map((run, round) => run.ms / samples[j][round].ms)) : undefined);
printGoals([
  [`skynet ${leaves.toLocaleString('en')}, tasklets / async functions`, perRound(0, 1), 1, 'x', `median of ${rounds} rounds`],
  [`skynet ${leaves.toLocaleString('en')}, tasklets / Go`, goBinary ? perRound(0, 2) : undefined, 1.5, 'x', goBinary ? `median of ${rounds} rounds` : 'go not found'],
  [`skynet ${leaves.toLocaleString('en')}, tasklets' peak RSS`, summary[0].rssMiB, 1024, ' MiB', 'whole process'],
]);
if (!goBinary) console.log('\n(go not found: apt-get install golang-go for the Go anchor)');
