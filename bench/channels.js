// Channel benchmarks: tasklet channels against generator-based channels in
// the same run, and Go's unbuffered channel as the anchor. Usage: pnpm bench
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Channel } from '@stackless/channels';
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { run, tasklet } from '@stackless/tasklets';
import { GeneratorChannel, runTasks } from './generator-channels.js';
import { median, nsPerOp, printGoals, printTable, settleSwitchShortcuts } from './measure.js';

settleSwitchShortcuts();

function taskletPingPong(options) {
  return nsPerOp((n) => {
    const ping = new Channel(options);
    const pong = new Channel(options);
    tasklet(() => {
      for (let i = 0; i < n; i++) pong.send(ping.receive());
    })();
    tasklet(() => {
      for (let i = 0; i < n; i++) {
        ping.send(i);
        pong.receive();
      }
    })();
    run();
  }, { ops: 100_000 });
}

/** Two bare greenlets switching: the floor under any tasklet ping-pong. */
function greenletPingPong() {
  const main = getcurrent();
  const partner = new Greenlet(() => {
    for (;;) main.switch();
  });
  partner.switch();
  const ns = nsPerOp((n) => {
    for (let i = 0; i < n; i++) partner.switch();
  }, { ops: 100_000 });
  partner.throw();
  return ns;
}

function generatorPingPong() {
  return nsPerOp((n) => {
    const ping = new GeneratorChannel();
    const pong = new GeneratorChannel();
    runTasks([
      (function* echo() {
        for (let i = 0; i < n; i++) yield ['send', pong, yield ['recv', ping]];
      })(),
      (function* driver() {
        for (let i = 0; i < n; i++) {
          yield ['send', ping, i];
          yield ['recv', pong];
        }
      })(),
    ]);
  }, { ops: 100_000 });
}

function taskletSieve(count) {
  return nsPerOp(() => {
    const tasks = [];
    tasklet(() => {
      let channel = new Channel();
      tasks.push(tasklet((out) => {
        for (let n = 2; ; n++) out.send(n);
      })(channel));
      for (let i = 0; i < count; i++) {
        const prime = channel.receive();
        const next = new Channel();
        tasks.push(tasklet((input, out) => {
          for (;;) {
            const n = input.receive();
            if (n % prime !== 0) out.send(n);
          }
        })(channel, next));
        channel = next;
      }
      for (const task of tasks) task.kill();
    })();
    run();
  }, { ops: 1, batches: 5 });
}

function generatorSieve(count) {
  return nsPerOp(() => {
    runTasks([
      (function* main() {
        let channel = new GeneratorChannel();
        yield ['spawn', (function* numbers(out) {
          for (let n = 2; ; n++) yield ['send', out, n];
        })(channel)];
        for (let i = 0; i < count; i++) {
          const prime = yield ['recv', channel];
          const next = new GeneratorChannel();
          yield ['spawn', (function* filter(input, out) {
            for (;;) {
              const n = yield ['recv', input];
              if (n % prime !== 0) yield ['send', out, n];
            }
          })(channel, next)];
          channel = next;
        }
      })(),
    ]);
  }, { ops: 1, batches: 5 });
}

/** Builds the Go anchor once; undefined when Go is not installed. */
function buildGoPingPong() {
  const source = fileURLToPath(new URL('./go/pingpong.go', import.meta.url));
  const binary = join(mkdtempSync(join(tmpdir(), 'stackless-bench-')), 'pingpong');
  const result = spawnSync('go', ['build', '-o', binary, source], {
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'off' },
  });
  return result.status === 0 ? binary : undefined;
}

function goPingPong(binary) {
  const result = spawnSync(binary, [], { encoding: 'utf8', env: { ...process.env, GOMAXPROCS: '1' } });
  return result.status === 0 ? JSON.parse(result.stdout).pingpong_ns : undefined;
}

const GO_PAIRS = 5;

/**
 * Ours and Go's ping-pong, taken in turns: this machine's speed drifts from
 * one second to the next, so each pair is measured close together and the
 * ratio reported is the median of the pairs' ratios.
 */
function pairedWithGo(binary, rounds = GO_PAIRS) {
  const ours = [];
  const go = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(taskletPingPong());
    go.push(goPingPong(binary));
  }
  return { ours: median(ours), go: median(go), ratio: median(ours.map((ns, i) => ns / go[i])) };
}

const goBinary = buildGoPingPong();
const paired = goBinary ? pairedWithGo(goBinary) : undefined;
if (goBinary) rmSync(dirname(goBinary), { recursive: true, force: true });
const pingPongNs = paired?.ours ?? taskletPingPong();
const bufferedPingPongNs = taskletPingPong({ capacity: 16 });
const generatorPingPongNs = generatorPingPong();
const greenletNs = greenletPingPong();
const sieveMs = taskletSieve(1000) / 1e6;
const generatorSieveMs = generatorSieve(1000) / 1e6;

const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
console.log(`\nstackless channel benchmarks: node ${process.version}, ${process.arch}`);
printTable('Channel ping-pong (round trip: two transfers)', [
  ['tasklets + Channel', pingPongNs, 'ns/op'],
  ['tasklets + Channel, capacity 16', bufferedPingPongNs, 'ns/op'],
  ['greenlet switch round trip (the floor)', greenletNs, 'ns/op', `channel overhead = ${ratio(pingPongNs, greenletNs)}`],
  ['generator tasks + channel (baseline)', generatorPingPongNs, 'ns/op', `tasklets / generators = ${ratio(pingPongNs, generatorPingPongNs)}`],
  ...(paired
    ? [['Go goroutines, GOMAXPROCS=1 (anchor)', paired.go, 'ns/op', `tasklets / Go = ${paired.ratio.toFixed(2)}x (median of ${GO_PAIRS} pairs taken in turns)`]]
    : []),
]);
printTable('Concurrent prime sieve, first 1,000 primes (1,000 filters)', [
  ['tasklets + Channel', sieveMs, 'ms'],
  ['generator tasks + channel (baseline)', generatorSieveMs, 'ms', `tasklets / generators = ${ratio(sieveMs, generatorSieveMs)}`],
]);
printGoals([
  ['unbuffered tasklet channel ping-pong / Go', paired?.ratio, 1, 'x', paired ? `median of ${GO_PAIRS} pairs in turns` : 'go not found'],
]);
if (!paired) console.log('\n(go not found: apt-get install golang-go for the Go anchor)');
