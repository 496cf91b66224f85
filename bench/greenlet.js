// Greenlet benchmarks against same-run baselines. Usage: pnpm bench
// (coverage off: V8 coverage makes every switch several times slower).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { core, diagnostics } from '@stackless/native';
import { median, nsPerOp, nsPerOpAsync, printGoals, printTable } from './measure.js';

const main = getcurrent();

function greenletRoundTrip() {
  const partner = new Greenlet(() => {
    for (;;) main.switch();
  });
  partner.switch();
  const ns = nsPerOp((n) => {
    for (let i = 0; i < n; i++) partner.switch();
  });
  partner.throw();
  return ns;
}

function greenletValueRoundTrip() {
  const echo = new Greenlet((first) => {
    let value = first;
    for (;;) value = main.switch(value + 1);
  });
  echo.switch(0);
  const ns = nsPerOp((n) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += echo.switch(i);
    return total;
  });
  echo.throw();
  return ns;
}

function createStartFinish() {
  return nsPerOp((n) => {
    for (let i = 0; i < n; i++) new Greenlet((x) => x).switch(i);
  });
}

function generatorRoundTrip() {
  function* partner() {
    for (;;) yield;
  }
  const generator = partner();
  generator.next();
  return nsPerOp((n) => {
    for (let i = 0; i < n; i++) generator.next();
  });
}

function asyncPingPong() {
  return nsPerOpAsync(async (n) => {
    let wakePong;
    let wakePing;
    const pong = (async () => {
      for (let i = 0; i < n; i++) {
        await new Promise((resolve) => (wakePong = resolve));
        wakePing();
      }
    })();
    for (let i = 0; i < n; i++) {
      const back = new Promise((resolve) => (wakePing = resolve));
      wakePong();
      await back;
    }
    await pong;
  });
}

function memoryPerSuspendedGreenlet(count = 10_000) {
  const settle = () => {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    return process.memoryUsage();
  };
  const before = settle();
  const parked = [];
  for (let i = 0; i < count; i++) {
    const g = new Greenlet(() => main.switch());
    g.switch();
    parked.push(g);
  }
  const after = settle();
  for (const g of parked) g.throw();
  return {
    rss: (after.rss - before.rss) / count,
    heap: (after.heapUsed - before.heapUsed) / count,
  };
}

function pythonGreenlet() {
  const script = fileURLToPath(new URL('./python_greenlet.py', import.meta.url));
  // Debian's python3-greenlet lives in the system Python, which may not be
  // the first python3 on PATH.
  for (const python of ['python3', '/usr/bin/python3']) {
    const result = spawnSync(python, [script], { encoding: 'utf8' });
    if (result.status === 0) return JSON.parse(result.stdout);
  }
  return undefined;
}

/** Builds bench/go/spawn.go (goroutine create + join); undefined without Go. */
function buildGoSpawn() {
  const source = fileURLToPath(new URL('./go/spawn.go', import.meta.url));
  const binary = join(mkdtempSync(join(tmpdir(), 'stackless-spawn-')), 'spawn');
  const result = spawnSync('go', ['build', '-o', binary, source], { encoding: 'utf8', env: { ...process.env, GO111MODULE: 'off' } });
  return result.status === 0 ? binary : undefined;
}

function goSpawn(binary) {
  const result = spawnSync(binary, [], { encoding: 'utf8', env: { ...process.env, GOMAXPROCS: '1' } });
  return result.status === 0 ? JSON.parse(result.stdout).spawn_ns : undefined;
}

const PAIRS = 3;

/** Median of the ratios ours/theirs over pairs measured in turns. */
function inTurns(ours, theirs) {
  const ratios = [];
  for (let i = 0; i < PAIRS; i++) {
    const a = ours();
    const b = theirs();
    if (b === undefined) return undefined;
    ratios.push(a / b);
  }
  return median(ratios);
}

// The switch shortcuts (docs/switch-cost.md) turn on once V8's symbols are
// read; measure with them settled, and without each for comparison.
diagnostics.waitForV8Symbols();
greenletRoundTrip();
const direct = diagnostics.shortcuts().directRestore;
const bypass = diagnostics.shortcuts().debugWalkBypass;
core.setShortcut('directRestore', false);
const unlockerSwitchNs = greenletRoundTrip();
core.setShortcut('debugWalkBypass', false);
const publicSwitchNs = greenletRoundTrip();
core.setShortcut('debugWalkBypass', true);
core.setShortcut('directRestore', true);
const switchNs = greenletRoundTrip();
const valueNs = greenletValueRoundTrip();
const createNs = createStartFinish();
const generatorNs = generatorRoundTrip();
const asyncNs = await asyncPingPong();
const memory = memoryPerSuspendedGreenlet();
const python = pythonGreenlet();
// Same-run ratios for the goals: ours and the anchor in turns.
const hotVsPython = python ? inTurns(greenletRoundTrip, () => pythonGreenlet()?.switch_ns) : undefined;
const goSpawnBinary = buildGoSpawn();
const goSpawnNs = goSpawnBinary ? goSpawn(goSpawnBinary) : undefined;
const createVsGo = goSpawnBinary ? inTurns(createStartFinish, () => goSpawn(goSpawnBinary)) : undefined;
if (goSpawnBinary) rmSync(dirname(goSpawnBinary), { recursive: true, force: true });

const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
console.log(`stackless greenlet benchmarks: node ${process.version}, ${process.arch}`);
const describe = (shortcut) => `${shortcut.status}${shortcut.reason ? ` (${shortcut.reason})` : ''}`;
console.log(`direct restore: ${describe(direct)}; debugger-walk bypass: ${describe(bypass)}`);
printTable('Round trips (A -> B -> A), median of 7 batches', [
  ['greenlet switch', switchNs, 'ns/op'],
  ['greenlet switch passing a value', valueNs, 'ns/op'],
  ['switch via ~Unlocker, debugger walk bypassed', unlockerSwitchNs, 'ns/op', `greenlet / this = ${ratio(switchNs, unlockerSwitchNs)}`],
  ['switch via ~Unlocker only (public V8 API)', publicSwitchNs, 'ns/op', `greenlet / this = ${ratio(switchNs, publicSwitchNs)}`],
  ['generator next()/yield (baseline)', generatorNs, 'ns/op', `greenlet / generator = ${ratio(switchNs, generatorNs)}`],
  ['async/await ping-pong (baseline)', asyncNs, 'ns/op', `greenlet / async = ${ratio(switchNs, asyncNs)}`],
  ...(python ? [['python greenlet switch (reference)', python.switch_ns, 'ns/op', `ours / python = ${ratio(switchNs, python.switch_ns)}`]] : []),
]);
printTable('Lifecycle', [
  ['greenlet create + start + finish', createNs, 'ns/op'],
  ...(goSpawnNs ? [['Go goroutine create + join, GOMAXPROCS=1 (anchor)', goSpawnNs, 'ns/op', `ours / Go = ${ratio(createNs, goSpawnNs)}`]] : []),
  ...(python ? [['python greenlet create + start + finish', python.create_ns, 'ns/op', `ours / python = ${ratio(createNs, python.create_ns)}`]] : []),
]);
printTable('Memory per suspended greenlet (10,000 parked)', [
  ['RSS', memory.rss / 1024, 'KiB'],
  ['JS heap', memory.heap / 1024, 'KiB'],
]);
printGoals([
  ['hot switch round trip / Python greenlet', hotVsPython, 0.5, 'x', python ? `median of ${PAIRS} pairs in turns` : 'python3 with greenlet not found'],
  ['pooled create+start+finish / Go create+join', createVsGo, 2, 'x', goSpawnBinary ? `median of ${PAIRS} pairs in turns` : 'go not found'],
  ['RSS per parked greenlet, 10,000 parked', memory.rss / 1024, 7, ' KiB', 'bench/scale.js gives 100,000'],
]);
if (!python) console.log('\n(python3 with greenlet not found: apt-get install python3-greenlet for the reference figures)');
