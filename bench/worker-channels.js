// WorkerChannel against MessagePort postMessage between the main thread and
// one worker, measured in the same run, in turns: throughput of small values
// (messages/s), of 64 KiB ArrayBuffers (MB/s, copied both ways), and the
// round trip of a ping-pong. Besides the wall-clock figures it prints the CPU
// time of all the process's threads per message (or round trip): on a loaded
// machine, where the wall clock mostly measures the OS scheduler, the CPU time
// still compares the two mechanisms' work.
// Usage: node bench/worker-channels.js [rounds]
import { loadavg } from 'node:os';
import { MessageChannel, Worker, isMainThread, parentPort } from 'node:worker_threads';
import { WorkerChannel } from '@stackless/channels';
import { run, tasklet } from '@stackless/tasklets';
import { median } from './measure.js';

const SMALL = 100_000;
const BUFFERS = 2_000;
const BUFFER_BYTES = 64 * 1024;
const ROUND_TRIPS = 20_000;

function inTasklet(body) {
  return new Promise((resolve, reject) => {
    tasklet(() => {
      try {
        resolve(body());
      } catch (error) {
        reject(error);
      }
    })();
    run();
  });
}

if (!isMainThread) {
  // The worker: does what each command says, on the channels or port it is given.
  parentPort.on('message', async ({ kind, n, handles, port }) => {
    if (kind === 'channel-send') {
      const channel = WorkerChannel.from(handles[0]);
      const value = { i: 0 };
      await inTasklet(() => {
        for (let i = 0; i < n; i++) {
          value.i = i;
          channel.send(value);
        }
      });
    } else if (kind === 'channel-buffers') {
      const channel = WorkerChannel.from(handles[0]);
      const buffer = new ArrayBuffer(BUFFER_BYTES);
      await inTasklet(() => {
        for (let i = 0; i < n; i++) channel.send(buffer);
      });
    } else if (kind === 'channel-echo') {
      const ping = WorkerChannel.from(handles[0]);
      const pong = WorkerChannel.from(handles[1]);
      await inTasklet(() => {
        for (let i = 0; i < n; i++) pong.send(ping.receive());
      });
    } else if (kind === 'port-send') {
      const value = { i: 0 };
      for (let i = 0; i < n; i++) {
        value.i = i;
        port.postMessage(value);
      }
    } else if (kind === 'port-buffers') {
      const buffer = new ArrayBuffer(BUFFER_BYTES);
      for (let i = 0; i < n; i++) port.postMessage(buffer);
    } else if (kind === 'port-echo') {
      let left = n;
      port.on('message', (value) => {
        port.postMessage(value);
        if (--left === 0) port.close();
      });
    }
  });
} else {
  const rounds = Number(process.argv[2] ?? 5);
  const loadBefore = loadavg().map((value) => value.toFixed(2)).join(' ');
  const worker = new Worker(new URL(import.meta.url));

  /** ms for the worker to stream n values that main receives in a tasklet. */
  async function channelStream(kind, n, slotBytes) {
    const channel = new WorkerChannel({ capacity: 256, slotBytes });
    const start = performance.now();
    worker.postMessage({ kind, n, handles: [channel.handle] });
    await inTasklet(() => {
      for (let i = 0; i < n; i++) channel.receive();
    });
    return performance.now() - start;
  }

  async function portStream(kind, n) {
    const { port1, port2 } = new MessageChannel();
    const start = performance.now();
    const done = new Promise((resolve) => {
      let left = n;
      port1.on('message', () => {
        if (--left === 0) resolve();
      });
    });
    worker.postMessage({ kind, n, port: port2 }, [port2]);
    await done;
    port1.close();
    return performance.now() - start;
  }

  async function channelPingPong(n) {
    const ping = new WorkerChannel({ capacity: 1 });
    const pong = new WorkerChannel({ capacity: 1 });
    worker.postMessage({ kind: 'channel-echo', n, handles: [ping.handle, pong.handle] });
    const start = performance.now();
    await inTasklet(() => {
      for (let i = 0; i < n; i++) {
        ping.send(i);
        pong.receive();
      }
    });
    return performance.now() - start;
  }

  async function portPingPong(n) {
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ kind: 'port-echo', n, port: port2 }, [port2]);
    const start = performance.now();
    await new Promise((resolve) => {
      let sent = 1;
      port1.on('message', () => {
        if (sent === n) return resolve();
        sent++;
        port1.postMessage(sent);
      });
      port1.postMessage(sent);
    });
    port1.close();
    return performance.now() - start;
  }

  /** Runs a measure; its wall-clock ms goes to samples, the CPU ms of all threads meanwhile to cpuSamples. */
  async function timed(name, measure) {
    const before = process.cpuUsage();
    samples[name].push(await measure());
    const cpu = process.cpuUsage(before);
    cpuSamples[name].push((cpu.user + cpu.system) / 1000);
  }

  const samples = { channelSmall: [], portSmall: [], channelBuffers: [], portBuffers: [], channelPing: [], portPing: [] };
  const cpuSamples = Object.fromEntries(Object.keys(samples).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    // In turns, the order flipped each round, so that drift in machine load hits both sides.
    const pairs = [
      ['channelSmall', () => channelStream('channel-send', SMALL, 64)],
      ['portSmall', () => portStream('port-send', SMALL)],
      ['channelBuffers', () => channelStream('channel-buffers', BUFFERS, BUFFER_BYTES + 64)],
      ['portBuffers', () => portStream('port-buffers', BUFFERS)],
      ['channelPing', () => channelPingPong(ROUND_TRIPS)],
      ['portPing', () => portPingPong(ROUND_TRIPS)],
    ];
    for (let i = 0; i < pairs.length; i += 2) {
      const pair = round % 2 === 0 ? [pairs[i], pairs[i + 1]] : [pairs[i + 1], pairs[i]];
      for (const [name, measure] of pair) await timed(name, measure);
    }
  }
  const ms = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  const cpuMs = Object.fromEntries(Object.entries(cpuSamples).map(([name, values]) => [name, median(values)]));
  const perSecond = (count, time) => Math.round((count / time) * 1000);
  const megabytes = (time) => Math.round((BUFFERS * BUFFER_BYTES) / 2 ** 20 / (time / 1000));
  const microseconds = (time) => ((time / ROUND_TRIPS) * 1000).toFixed(1);
  const cpuPer = (time, count) => ((time / count) * 1000).toFixed(2);
  const rows = [
    ['small values, messages/s', perSecond(SMALL, ms.channelSmall), perSecond(SMALL, ms.portSmall), ms.portSmall / ms.channelSmall],
    ['64 KiB ArrayBuffers, MB/s', megabytes(ms.channelBuffers), megabytes(ms.portBuffers), ms.portBuffers / ms.channelBuffers],
    ['ping-pong round trip, µs', microseconds(ms.channelPing), microseconds(ms.portPing), ms.portPing / ms.channelPing],
    ['CPU µs per small value', cpuPer(cpuMs.channelSmall, SMALL), cpuPer(cpuMs.portSmall, SMALL), cpuMs.portSmall / cpuMs.channelSmall],
    ['CPU µs per 64 KiB buffer', cpuPer(cpuMs.channelBuffers, BUFFERS), cpuPer(cpuMs.portBuffers, BUFFERS), cpuMs.portBuffers / cpuMs.channelBuffers],
    ['CPU µs per round trip', cpuPer(cpuMs.channelPing, ROUND_TRIPS), cpuPer(cpuMs.portPing, ROUND_TRIPS), cpuMs.portPing / cpuMs.channelPing],
  ];
  console.log(`\nWorkerChannel vs MessagePort postMessage, main <-> 1 worker (median of ${rounds} rounds; ratio > 1: WorkerChannel faster, or cheaper in CPU)`);
  console.log(`  load average before: ${loadBefore}, after: ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
  console.log(`  ${'measure'.padEnd(27)} ${'WorkerChannel'.padStart(13)} ${'MessagePort'.padStart(12)} ${'ratio'.padStart(6)}`);
  for (const [name, channel, port, ratio] of rows) {
    console.log(`  ${name.padEnd(27)} ${String(channel).padStart(13)} ${String(port).padStart(12)} ${ratio.toFixed(2).padStart(6)}`);
  }
  await worker.terminate();
}
