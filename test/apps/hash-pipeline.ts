// A multi-core pipeline over WorkerChannels:
//
//   reader (main) ──chunks──▶ hasher × N (workers) ──digests──▶ writer (main)
//
// The reader streams a file in fixed-size chunks, N worker threads hash each
// chunk (a CPU-bound stage: chained SHA-256 rounds), and the writer puts the
// digests back in chunk order, one 32-byte digest per chunk. Each worker's
// stage is a plain blocking loop in a tasklet; the `chunks` channel's capacity
// gives back-pressure, so the reader never gets far ahead of the hashers.
//
// As a script: node hash-pipeline.js [workers] [rounds] [chunkKiB] [file]
// hashes the file (by default a generated one of 64 chunks), writes the
// digests (binary) to stdout and the time taken to stderr.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { ChannelClosedError, WorkerChannel, type WorkerChannelHandle } from '@stackless/channels';
import { run, tasklet } from '@stackless/tasklets';

/** Bytes of one SHA-256 digest. */
export const DIGEST_BYTES = 32;

interface Chunk {
  index: number;
  bytes: ArrayBuffer;
}
interface Digest {
  index: number;
  digest: Uint8Array;
}
interface StageData {
  app: 'hash-pipeline';
  chunks: WorkerChannelHandle;
  digests: WorkerChannelHandle;
  rounds: number;
}

export interface PipelineOptions {
  /** Worker threads running the hashing stage. */
  workers: number;
  chunkBytes: number;
  /** SHA-256 rounds per chunk: the stage's CPU cost. */
  rounds: number;
}

/** The stage's work on one chunk: `rounds` chained SHA-256 digests, each over the previous digest and the chunk. */
export function hashChunk(bytes: Uint8Array, rounds: number): Buffer {
  let digest = createHash('sha256').update(bytes).digest();
  for (let i = 1; i < rounds; i++) digest = createHash('sha256').update(digest).update(bytes).digest();
  return digest;
}

/** Writes a file of `bytes` deterministic pseudo-random bytes (xorshift32) into a new temporary directory. */
export function writeSampleFile(bytes: number): { path: string; remove(): void } {
  const data = new Uint8Array(bytes);
  let state = 2463534242;
  for (let i = 0; i < data.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    data[i] = state & 0xff;
  }
  const directory = mkdtempSync(join(tmpdir(), 'hash-pipeline-'));
  const path = join(directory, 'sample.bin');
  writeFileSync(path, data);
  return { path, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

/**
 * Starts `count` workers running this module's stage. Resolves when all have
 * exited; rejects with the first worker's error.
 */
export function startStageWorkers(count: number, data: StageData): Promise<void> {
  const exits: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const worker = new Worker(new URL(import.meta.url), { workerData: data });
    exits.push(
      new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`hash-pipeline: a stage worker exited with code ${code}`))));
      }),
    );
  }
  return Promise.all(exits).then(() => undefined);
}

/**
 * Hashes each `chunkBytes` chunk of the file at `path` on `workers` worker
 * threads. Returns the digests in chunk order, concatenated.
 */
export async function hashPipeline(path: string, { workers, chunkBytes, rounds }: PipelineOptions): Promise<Buffer> {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`hashPipeline(): workers must be a whole number >= 1, not ${workers}`);
  const chunks = new WorkerChannel<Chunk>({ capacity: 2 * workers, slotBytes: chunkBytes + 256 });
  const digests = new WorkerChannel<Digest>({ capacity: 2 * workers, slotBytes: DIGEST_BYTES + 256 });
  // A stage that fails closes both channels, so the reader and the writer stop.
  const stages = startStageWorkers(workers, { app: 'hash-pipeline', chunks: chunks.handle, digests: digests.handle, rounds }).catch((error: unknown) => {
    chunks.close();
    digests.close();
    throw error;
  });
  const writer = (async () => {
    const parts: Buffer[] = [];
    for await (const { index, digest } of digests) {
      if (parts[index] !== undefined) throw new Error(`hash-pipeline: chunk ${index} hashed twice`);
      parts[index] = Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength);
    }
    return parts;
  })();
  let count = 0;
  const file = await open(path, 'r');
  try {
    for (;;) {
      const bytes = new ArrayBuffer(chunkBytes);
      const { bytesRead } = await file.read(new Uint8Array(bytes), 0, chunkBytes, null);
      if (bytesRead === 0) break;
      await chunks.sendAsync({ index: count, bytes: bytesRead === chunkBytes ? bytes : bytes.slice(0, bytesRead) });
      count++;
    }
  } catch (error) {
    if (!(error instanceof ChannelClosedError)) throw error;
  } finally {
    await file.close();
    chunks.close(); // the hashers drain what is left, then their loops end
  }
  await stages;
  digests.close();
  const parts = await writer;
  for (let index = 0; index < count; index++) if (parts[index] === undefined) throw new Error(`hash-pipeline: chunk ${index} lost`);
  return Buffer.concat(parts);
}

/** The hashing stage, in a worker: a blocking loop in a tasklet. */
function stage({ chunks, digests, rounds }: StageData): void {
  const input = WorkerChannel.from<Chunk>(chunks);
  const output = WorkerChannel.from<Digest>(digests);
  tasklet(() => {
    for (const { index, bytes } of input) output.send({ index, digest: hashChunk(new Uint8Array(bytes), rounds) });
  })();
  run();
}

if (!isMainThread && (workerData as StageData | undefined)?.app === 'hash-pipeline') {
  stage(workerData as StageData);
} else if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [workers = 2, rounds = 2000, chunkKiB = 16] = process.argv.slice(2, 5).map(Number);
  const chunkBytes = chunkKiB * 1024;
  const sample = process.argv[5] === undefined ? writeSampleFile(64 * chunkBytes) : undefined;
  try {
    const start = performance.now();
    const digests = await hashPipeline(process.argv[5] ?? sample!.path, { workers, chunkBytes, rounds });
    process.stderr.write(`${workers} workers: ${(performance.now() - start).toFixed(0)} ms\n`);
    process.stdout.write(digests);
  } finally {
    sample?.remove();
  }
}
