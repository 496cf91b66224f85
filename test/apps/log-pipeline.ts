// A log-processing pipeline built from tasklets and channels:
//
//   reader ──lines──▶ parser × N ──records──▶ aggregator
//
// The reader streams a real file with wait() on fs promises (only the reader
// waits for the disk; everything else keeps running), the buffered `lines`
// channel gives back-pressure (the reader blocks while the parsers are
// behind), N parser tasklets fan out, and one aggregator fans in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel } from '@stackless/channels';
import { tasklet, wait } from '@stackless/tasklets';

export interface LogRecord {
  status: number;
  path: string;
  ms: number;
}

export interface Summary {
  lines: number;
  malformed: number;
  byStatus: Record<string, number>;
  slowestPaths: Array<[path: string, averageMs: number]>;
  p50: number;
  p99: number;
  /** Most values the lines channel held at once: bounded by its capacity. */
  maxBuffered: number;
}

const LINE = /^(\S+) (\S+) "(GET|POST|PUT|DELETE) (\S+)" (\d{3}) (\d+)ms$/;

/** Writes `lines` lines of a plausible access log and returns its path. */
export function writeSampleLog(lines: number, seed = 7): string {
  let state = seed;
  const random = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 16) % n;
  };
  const paths = ['/', '/login', '/api/items', '/api/items/42', '/search', '/checkout', '/static/app.js'];
  const statuses = [200, 200, 200, 200, 200, 201, 204, 301, 404, 500];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 997 === 0) {
      out.push('this line is garbage');
      continue;
    }
    const path = paths[random(paths.length)]!;
    const ms = 1 + random(path.startsWith('/api') ? 400 : 60);
    out.push(`10.0.${random(256)}.${random(256)} 2026-11-23T12:00:${String(i % 60).padStart(2, '0')} "GET ${path}" ${statuses[random(statuses.length)]} ${ms}ms`);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'stackless-log-')), 'access.log');
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}

/**
 * Processes the log at `path`; resolves with the summary. `onProgress` is
 * called every `progressEvery` lines by the aggregator.
 */
export function processLog(
  path: string,
  { workers = 4, capacity = 256, progressEvery = 50_000, onProgress = (_lines: number) => {} } = {},
): Promise<Summary> {
  const lines = new Channel<string>({ capacity });
  const records = new Channel<LogRecord | null>({ capacity });
  // Go-like: a send does not hand control to the receiver, so each stage
  // works in batches and the buffers actually fill.
  lines.preference = 0;
  records.preference = 0;
  let maxBuffered = 0;

  tasklet(function reader() {
    const file = wait(open(path, 'r'));
    try {
      const chunk = Buffer.alloc(64 * 1024);
      let rest = '';
      for (;;) {
        const { bytesRead } = wait(file.read(chunk, 0, chunk.length, null));
        if (bytesRead === 0) break;
        const text = rest + chunk.toString('utf8', 0, bytesRead);
        const parts = text.split('\n');
        rest = parts.pop()!;
        for (const line of parts) {
          lines.send(line); // blocks while the buffer is full: back-pressure
          maxBuffered = Math.max(maxBuffered, lines.length);
        }
      }
      if (rest !== '') lines.send(rest);
    } finally {
      wait(file.close());
      lines.close();
    }
  })();

  let running = workers;
  for (let i = 0; i < workers; i++) {
    tasklet(function parser() {
      for (const line of lines) {
        const match = LINE.exec(line);
        records.send(match ? { status: Number(match[5]), path: match[4]!, ms: Number(match[6]) } : null);
      }
      if (--running === 0) records.close(); // the last parser out closes the fan-in
    })();
  }

  return new Promise((resolve, reject) => {
    tasklet(function aggregator() {
      try {
        let count = 0;
        let malformed = 0;
        const byStatus: Record<string, number> = {};
        const perPath = new Map<string, { total: number; n: number }>();
        const latencies: number[] = [];
        for (const record of records) {
          if (++count % progressEvery === 0) onProgress(count);
          if (record === null) {
            malformed++;
            continue;
          }
          byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
          const entry = perPath.get(record.path) ?? { total: 0, n: 0 };
          entry.total += record.ms;
          entry.n++;
          perPath.set(record.path, entry);
          latencies.push(record.ms);
        }
        latencies.sort((a, b) => a - b);
        const slowestPaths = [...perPath]
          .map(([p, { total, n }]): [string, number] => [p, Math.round(total / n)])
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3);
        resolve({
          lines: count,
          malformed,
          byStatus,
          slowestPaths,
          p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
          p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
          maxBuffered,
        });
      } catch (error) {
        reject(error);
      }
    })();
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 200_000);
  console.log(`Log pipeline demo: reader -> lines (buffered) -> 4 parser tasklets -> aggregator\n`);
  const file = writeSampleLog(count);
  console.log(`wrote ${count.toLocaleString()} log lines to ${file}`);
  const start = performance.now();
  const summary = await processLog(file, {
    onProgress: (n) => console.log(`  ${n.toLocaleString()} lines processed...`),
  });
  const seconds = (performance.now() - start) / 1000;
  console.log(`\nprocessed ${summary.lines.toLocaleString()} lines in ${seconds.toFixed(2)} s ` +
    `(${Math.round(summary.lines / seconds).toLocaleString()} lines/s), ${summary.malformed} malformed`);
  console.log(`status codes: ${Object.entries(summary.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
  console.log(`latency: p50 ${summary.p50} ms, p99 ${summary.p99} ms`);
  console.log(`slowest paths: ${summary.slowestPaths.map(([p, ms]) => `${p} (${ms} ms avg)`).join(', ')}`);
  console.log(`back-pressure: the reader blocked whenever the lines channel held ${summary.maxBuffered} lines (its capacity)`);
}
