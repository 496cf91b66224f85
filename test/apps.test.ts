// The example apps run to completion and compute the right thing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { TimeoutError, getruncount, run } from '@stackless/tasklets';
import { type SitePage, crawl, startSite } from './apps/crawler.js';
import { playHackeysack } from './apps/hackeysack.js';
import { writeSampleFile } from './apps/hash-pipeline.js';
import { processLog, writeSampleLog } from './apps/log-pipeline.js';
import { primes } from './apps/prime-sieve.js';
import { produceAndConsume } from './apps/producer-consumer.js';
import { expectedSum, skynet } from './apps/skynet.js';

function primesByTrialDivision(count: number): number[] {
  const found: number[] = [];
  for (let n = 2; found.length < count; n++) if (found.every((p) => n % p !== 0)) found.push(n);
  return found;
}

t.test('concurrent prime sieve: the first 1,000 primes through 1,000 filter tasklets', (t) => {
  t.same(primes(1000), primesByTrialDivision(1000));
  t.equal(getruncount(), 1, 'every filter tasklet was stopped');
  t.end();
});

t.test('hackeysack: 10,000 players kick a ball 100,000 times, then all go home', (t) => {
  const result = playHackeysack(10_000, 100_000);
  t.equal(result.kicks, 100_000);
  t.equal(result.kicksByPlayer.reduce((sum, n) => sum + n, 0), 100_000, 'every kick counted once');
  t.ok(result.kicksByPlayer.filter((n) => n > 0).length > 9000, 'the ball went around the circle');
  t.equal(getruncount(), 1, 'every player went home');
  t.end();
});

t.test('log pipeline: a real file through reader, 4 parsers and an aggregator, with back-pressure', async (t) => {
  const file = writeSampleLog(50_000);
  const progress: number[] = [];
  const summary = await processLog(file, { progressEvery: 10_000, onProgress: (n) => progress.push(n) });
  t.equal(summary.lines, 50_000, 'every line arrived once');
  t.equal(summary.malformed, Math.ceil(50_000 / 997), 'every garbage line was recognised');
  t.equal(Object.values(summary.byStatus).reduce((a, b) => a + b, 0), 50_000 - summary.malformed);
  t.same(progress, [10_000, 20_000, 30_000, 40_000, 50_000]);
  t.equal(summary.maxBuffered, 256, 'the reader filled the buffer and had to wait');
  t.ok(summary.p50 <= summary.p99);
  t.equal(summary.slowestPaths[0]![0].startsWith('/api'), true, 'the slow API paths come first');
  t.equal(getruncount(), 1);
  t.end();
});

t.test('producer/consumer with timeouts: stalls are noticed, nothing is lost', async (t) => {
  const report = await produceAndConsume(
    [
      { name: 'fast', items: 20, everyMs: 1 },
      { name: 'slow', items: 5, everyMs: 5, pauseAfter: 3, pauseMs: 120 },
    ],
    40,
  );
  const byProducer = (name: string) => report.received.filter(([who]) => who === name).map(([, i]) => i);
  t.same(byProducer('fast'), [...Array(20).keys()], 'every fast item, in order');
  t.same(byProducer('slow'), [0, 1, 2, 3, 4], 'every slow item, in order');
  t.ok(report.stalls >= 1, `the 120 ms pause was noticed (${report.stalls} stalls)`);
  t.end();
});

t.test('skynet: 10,000 leaves under 11,111 tasklets sum to 0 + 1 + ... + 9,999', (t) => {
  t.equal(expectedSum(10_000), 49_995_000);
  t.equal(skynet(10_000), 49_995_000, 'unbuffered, Stackless preference');
  // Senders that handed over their last value are still runnable.
  run();
  t.equal(getruncount(), 1, 'every tasklet ended');
  t.equal(skynet(10_000, { capacity: 10, preference: 0 }), 49_995_000, 'one slot per child, preference 0');
  t.equal(skynet(1000, { capacity: 3, preference: 1 }), 499_500, 'fewer slots than children, sender preferred');
  t.equal(skynet(8 ** 4, { branching: 8 }), expectedSum(8 ** 4), 'another branching factor');
  t.throws(() => skynet(999), RangeError, 'leaves must be a power of the branching factor');
  run();
  t.equal(getruncount(), 1);
  t.end();
});

t.test('crawler: a scope of fetchers, 4 at a time, a time budget, the first broken page cancels the rest', async (t) => {
  // A site of 40 pages: page i links to 2i+1 and 2i+2 (a binary tree) and back to the root.
  const tree: Record<string, SitePage> = {};
  for (let i = 0; i < 40; i++) {
    tree[`/p${i}`] = { links: [2 * i + 1, 2 * i + 2].filter((j) => j < 40).map((j) => `/p${j}`).concat('/p0'), delayMs: 1 + (i % 5) };
  }
  const site = await startSite(tree);
  try {
    const report = await crawl(site.base, '/p0', { limit: 4 });
    t.same([...report.pages.keys()].sort(), Object.keys(tree).sort(), 'every page once');
    t.equal(report.mostInFlight, 4, 'never more than 4 requests at a time');
  } finally {
    await site.close();
  }

  const broken = await startSite({
    '/': { links: ['/slow1', '/slow2', '/broken', '/hang'] },
    '/slow1': { links: [], delayMs: 5000 },
    '/slow2': { links: [], delayMs: 5000 },
    '/broken': { links: [], broken: true, delayMs: 20 },
    '/hang': { links: [], hangs: true },
  });
  try {
    await t.rejects(crawl(broken.base, '/'), /\/broken: HTTP 500/);
    // The cancelled fetches were aborted: the server sees its requests close.
    for (let i = 0; i < 100 && broken.open > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    t.equal(broken.open, 0, 'no request left open');
  } finally {
    await broken.close();
  }

  const hanging = await startSite({ '/': { links: ['/hang'] }, '/hang': { links: [], hangs: true } });
  try {
    await t.rejects(crawl(hanging.base, '/', { budgetMs: 100 }), TimeoutError);
  } finally {
    await hanging.close();
  }
  t.equal(getruncount(), 1);
  t.end();
});

t.test('hash pipeline: a file through a reader, N hashing worker threads and a writer, digests byte-identical to one thread\'s', (t) => {
  const chunkBytes = 4096;
  const rounds = 20;
  // 12 whole chunks and a short last one.
  const sample = writeSampleFile(12 * chunkBytes + 1000);
  t.teardown(sample.remove);
  // The reference: the same chained SHA-256 over each chunk, on this thread, without channels.
  const data = readFileSync(sample.path);
  const expected: Buffer[] = [];
  for (let start = 0; start < data.length; start += chunkBytes) {
    const chunk = data.subarray(start, start + chunkBytes);
    let digest = createHash('sha256').update(chunk).digest();
    for (let i = 1; i < rounds; i++) digest = createHash('sha256').update(Buffer.concat([digest, chunk])).digest();
    expected.push(digest);
  }
  t.equal(expected.length, 13);
  // In a child process (worker threads running tasklets). The compiled app: each
  // worker would compile the TypeScript again under the test's loader (seconds each).
  const app = fileURLToPath(new URL('./dist/apps/hash-pipeline.js', import.meta.url));
  const source = fileURLToPath(new URL('./apps/hash-pipeline.ts', import.meta.url));
  t.ok(existsSync(app) && statSync(app).mtimeMs >= statSync(source).mtimeMs, 'test/dist is built from the current source (pnpm run build)');
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  delete env.NODE_OPTIONS;
  for (const workers of [1, 3]) {
    const child = spawnSync(process.execPath, [app, String(workers), String(rounds), String(chunkBytes / 1024), sample.path], {
      env,
      timeout: 120_000,
    });
    t.equal(child.status, 0, `${workers} worker(s): exited cleanly ${child.status === 0 ? '' : String(child.stderr)}`);
    t.ok(Buffer.compare(child.stdout, Buffer.concat(expected)) === 0, `${workers} worker(s): ${expected.length} digests, byte-identical, in chunk order`);
  }
  t.end();
});
