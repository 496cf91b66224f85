// Runs every test file of the workspace in one tap run, then prints the plain
// "N passed, N failed" line that CI reads. Exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tapBin = fileURLToPath(new URL('../node_modules/.bin/tap', import.meta.url));
const env = { ...process.env };
// Coverage makes every greenlet switch 4-100x slower; the suite runs without it.
delete env.NODE_V8_COVERAGE;

const tap = spawn(tapBin, process.argv.slice(2), {
  env,
  stdio: ['inherit', 'pipe', 'inherit'],
});
let tail = '';
tap.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4096);
});
tap.on('close', (code, signal) => {
  const summary = /# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?/.exec(tail);
  const failed = Number(summary?.[3] ?? 0);
  const passed = Number(summary?.[2] ?? 0);
  const label = process.env.STACKLESS_TEST_LABEL || 'tests';
  if (summary) console.log(`${label}: ${passed} passed, ${failed} failed`);
  else console.log(`tests: no summary from tap (${signal ?? `exit ${code}`})`);
  process.exitCode = code === 0 && summary && failed === 0 ? 0 : 1;
});
