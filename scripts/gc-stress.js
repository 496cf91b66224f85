// The GC stress workload, bigger and over several seeds, under every stress
// mode this V8 offers (or those whose name matches --mode):
//   node scripts/gc-stress.js [--scale 10] [--seeds 3] [--seed N] [--mode stress-compaction]
// Builds nothing: run `pnpm run build` first. Use another Node binary to run
// it there (e.g. the one scripts/test-on-node.sh unpacks). Exits 1 on the
// first failure, after printing the child's output.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { gcStressModes } from '../test/fixtures/gc-stress-modes.mjs';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '10' },
    seeds: { type: 'string', default: '3' },
    seed: { type: 'string' },
    mode: { type: 'string' },
  },
});
const workload = fileURLToPath(new URL('../test/fixtures/gc-stress-workload.mjs', import.meta.url));
const firstSeed = values.seed !== undefined ? Number(values.seed) : (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
const modes = gcStressModes().filter(([name]) => values.mode === undefined || name.includes(values.mode));
if (modes.length === 0) throw new Error(`no stress mode matches ${values.mode}`);

console.log(`gc stress: scale ${values.scale}, ${values.seeds} seeds from ${firstSeed}, ${modes.length} modes, node ${process.version}`);
for (let i = 0; i < Number(values.seeds); i++) {
  const seed = firstSeed + i;
  for (const [name, flags] of modes) {
    const started = performance.now();
    const child = spawnSync(process.execPath, [...flags, workload, values.scale, String(seed)], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const ok = child.status === 0 && child.stdout.trim().endsWith('gc-stress workload ok');
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (seed ${seed}) ${seconds} s`);
    if (!ok) {
      console.log(`status ${child.status}, signal ${child.signal}\n${child.stdout}\n${child.stderr}`);
      process.exit(1);
    }
  }
}
