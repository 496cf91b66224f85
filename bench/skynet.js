// skynet at scale (github.com/atemerev/skynet): 1,111,111 tasklets, against
// async functions with Promise.all and Go's goroutines (GOMAXPROCS=1) in the
// same run. Each run is a fresh process, so its peak RSS is its own; the
// configurations are taken in turns, and each figure is the median of its
// rounds. Usage: node bench/skynet.js [leaves] [rounds] [--unbuffered=N]
// (1,000,000, 3; N 100,000). The unbuffered, preference -1 tree parks every
// leaf until the ring comes round: at 1,000,000 leaves that one run took
// 400 s and 12.7 GiB, so it is measured at N leaves (0 skips it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printGoals, printTable } from './measure.js';

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const unbufferedOption = process.argv.slice(2).find((arg) => arg.startsWith('--unbuffered='));
const leaves = Number(positional[0] ?? 1_000_000);
const rounds = Number(positional[1] ?? 3);
const unbufferedLeaves = unbufferedOption === undefined ? Math.min(leaves, 100_000) : Number(unbufferedOption.slice('--unbuffered='.length));
for (const [name, value] of [['leaves', leaves], ['rounds', rounds], ['--unbuffered', unbufferedLeaves]]) {
  if (!Number.isSafeInteger(value) || value < (name === '--unbuffered' ? 0 : 1)) throw new RangeError(`${name} must be a whole number, not ${value}`);
}
const sumBelow = (count) => (count * (count - 1)) / 2;
const expected = sumBelow(leaves);
const app = new URL('../test/dist/apps/skynet.js', import.meta.url).href;

/** Runs `program` (an ES module body that sets `sum`) in a fresh node; returns { ms, rssMiB }. */
function inNode(program, want = expected) {
  const source = `
    let sum;
    const start = performance.now();
    ${program}
    const ms = performance.now() - start;
    console.log(JSON.stringify({ sum, ms, rssMiB: process.resourceUsage().maxRSS / 1024 }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return parse(result, want);
}

function parse(result, want = expected) {
  if (result.status !== 0) throw new Error(`skynet run failed: ${result.stderr || result.signal}`);
  const { sum, ms, rssMiB } = JSON.parse(result.stdout);
  if (sum !== want) throw new Error(`skynet answered ${sum}, not ${want}`);
  return { ms, rssMiB };
}

const tasklets = (options, size = leaves) => () =>
  inNode(`const { skynet } = await import(${JSON.stringify(app)}); sum = skynet(${size}, ${JSON.stringify(options)});`, sumBelow(size));

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
const unbuffered = unbufferedLeaves > 0 ? tasklets({ capacity: 0, preference: -1 }, unbufferedLeaves)() : undefined;
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
  ...(unbuffered
    ? [
        [
          `tasklets, unbuffered, preference -1, ${unbufferedLeaves.toLocaleString('en')} leaves (one run)`,
          unbuffered.ms,
          'ms',
          `peak RSS ${unbuffered.rssMiB.toFixed(0)} MiB: every leaf stays parked until its turn comes round`,
        ],
      ]
    : []),
]);
// Ratios per round (the configurations ran back to back), then the median.
const perRound = (i, j) => (samples[j] ? median(samples[i].map((run, round) => run.ms / samples[j][round].ms)) : undefined);
printGoals([
  [`skynet ${leaves.toLocaleString('en')}, tasklets / async functions`, perRound(0, 1), 1, 'x', `median of ${rounds} rounds`],
  [`skynet ${leaves.toLocaleString('en')}, tasklets / Go`, goBinary ? perRound(0, 2) : undefined, 1.5, 'x', goBinary ? `median of ${rounds} rounds` : 'go not found'],
  [`skynet ${leaves.toLocaleString('en')}, tasklets' peak RSS`, summary[0].rssMiB, 1024, ' MiB', 'whole process'],
]);
if (!goBinary) console.log('\n(go not found: apt-get install golang-go for the Go anchor)');
