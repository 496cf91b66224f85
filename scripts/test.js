// Runs every test file of the workspace in one tap run, then prints the plain
// "N passed, N failed" line that CI reads, after the list of what failed (CI
// keeps only the end of a long log, so the failures are repeated there).
// Exits non-zero on any failure.
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

const failures = collectFailures();
let tail = '';
let partialLine = '';
tap.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = chunk.toString();
  tail = (tail + text).slice(-4096);
  const lines = (partialLine + text).split('\n');
  partialLine = lines.pop() ?? '';
  for (const line of lines) failures.read(line);
});
tap.on('close', (code, signal) => {
  const summary = /# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?/.exec(tail);
  const failed = Number(summary?.[3] ?? 0);
  const passed = Number(summary?.[2] ?? 0);
  const label = process.env.STACKLESS_TEST_LABEL || 'tests';
  failures.print(label);
  if (summary) console.log(`${label}: ${passed} passed, ${failed} failed`);
  else console.log(`tests: no summary from tap (${signal ?? `exit ${code}`})`);
  process.exitCode = code === 0 && summary && failed === 0 ? 0 : 1;
});

/**
 * Reads tap's output line by line and remembers each failed assertion with the
 * subtests around it and the first lines of its diagnostic.
 */
function collectFailures() {
  const subtests = []; // [indent, name], outermost first
  const found = [];
  let diagnostic = null; // the lines being collected for the last failure
  let keyIndent = -1; // the indent of the diagnostic's top-level keys
  let keepingKey = false;
  // Where the assertion is and its source are in the full log; what was
  // found, wanted and thrown is what tells a failure from a flake.
  const placeKeys = new Set(['at', 'source', 'fileName', 'lineNumber', 'columnNumber', 'typeName']);
  function readDiagnostic(line, indent, text) {
    if (text === '---') {
      keyIndent = -1;
      return;
    }
    if (keyIndent < 0) keyIndent = indent;
    const key = indent === keyIndent ? /^([A-Za-z]+):/.exec(text) : null;
    if (key) keepingKey = !placeKeys.has(key[1]);
    if (keepingKey && text && diagnostic.length < 24) diagnostic.push(line.slice(keyIndent));
  }
  return {
    read(line) {
      const indent = line.length - line.trimStart().length;
      const text = line.trim();
      if (diagnostic) {
        if (text === '...' || /^(not )?ok \d/.test(text)) diagnostic = null;
        else {
          readDiagnostic(line, indent, text);
          return;
        }
      }
      const subtest = /^# Subtest: (.*)$/.exec(text);
      if (subtest) {
        while (subtests.length && subtests.at(-1)[0] >= indent) subtests.pop();
        subtests.push([indent, subtest[1]]);
        return;
      }
      const notOk = /^not ok \d+ - (.*)$/.exec(text);
      if (!notOk) return;
      while (subtests.length && subtests.at(-1)[0] > indent) subtests.pop();
      const where = subtests.filter(([depth]) => depth < indent).map(([, name]) => name);
      // A failed subtest repeats the failures inside it, already listed.
      if (subtests.length && subtests.at(-1)[0] === indent && subtests.at(-1)[1] === notOk[1].replace(/ # time=.*$/, '')) {
        subtests.pop();
        return;
      }
      diagnostic = [];
      found.push({ path: [...where, notOk[1]].join(' > '), diagnostic });
    },
    print(label) {
      for (const { path, diagnostic: lines } of found) {
        console.log(`${label}: FAILED ${path}`);
        for (const line of lines) console.log(`    ${line}`);
      }
    },
  };
}
