// Longer runs of the debugger random walk (test/fixtures/debugger-walk.mjs):
//   node scripts/debugger-walk.js --runs 1000 --seed 7
// runs seeds 7, 8, ... one child process each, and stops at the first run that
// crashes, hangs, or delivers a value wrongly, printing its seed (rerun it
// alone with `node test/fixtures/debugger-walk.mjs <seed>`). Needs `pnpm run build`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    timeout: { type: 'string', default: '120000' },
  },
});
const runs = Number(values.runs);
const first = Number(values.seed);
const walk = fileURLToPath(new URL('../test/fixtures/debugger-walk.mjs', import.meta.url));
const env = { ...process.env };
delete env.NODE_V8_COVERAGE;
let pauses = 0;
const started = Date.now();
for (let i = 0; i < runs; i++) {
  const seed = first + i;
  const result = spawnSync(process.execPath, [walk, String(seed)], { encoding: 'utf8', env, timeout: Number(values.timeout) });
  const line = (result.stdout ?? '').trim().split('\n').at(-1) ?? '';
  let outcome;
  try {
    outcome = JSON.parse(line);
  } catch {
    outcome = undefined;
  }
  if (result.signal !== null || result.status !== 0 || outcome?.ok !== true) {
    const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
    console.error(`seed ${seed}: ${how}\n${line}\n${(result.stderr ?? '').slice(-4000)}`);
    console.error(`rerun: node test/fixtures/debugger-walk.mjs ${seed}`);
    process.exit(1);
  }
  pauses += outcome.pauses;
}
console.log(`${runs} runs from seed ${first}: all ended with every value delivered once (${pauses} pauses, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
