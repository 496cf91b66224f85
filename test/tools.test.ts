// Tools users already have, with greenlets parked and switching (issue 17):
// heap snapshots, diagnostic reports, the CPU profiler (the inspector's
// Profiler domain and --cpu-prof), NODE_V8_COVERAGE and what the inspector
// shows while paused in a greenlet. What each tool shows is documented in
// docs/platforms.md. Each run is a child process (fixtures/tools-with-greenlets.mjs):
// a crash fails an assertion, not the run.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ChildResult, expectExit, fixtureIn, runChild } from '@stackless/test-support';
import t, { type Test } from 'tap';

const script = fixtureIn(import.meta.url)('tools-with-greenlets.mjs');

function runFixture(args: string[], nodeFlags: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): ChildResult {
  return runChild(script, nodeFlags, args, extraEnv, { timeout: 180_000 });
}

/** Asserts the child ended by itself with code 0 and returns its last JSON line. */
function outcome(t: Test, child: ChildResult): any {
  expectExit(t, child);
  try {
    return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    return {};
  }
}

function scratch(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'stackless-tools-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Samples per busy function: those whose stack holds spinInMain, spinInGreenlet. */
function samplesBySpinner(profile: CpuProfile): { main: number; greenlet: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const counts = { main: 0, greenlet: 0 };
  for (const sample of profile.samples) {
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id)?.callFrame.functionName;
      if (name === 'spinInMain') counts.main++;
      else if (name === 'spinInGreenlet') counts.greenlet++;
      else continue;
      break;
    }
  }
  return counts;
}

t.test('v8.writeHeapSnapshot() with 1,000 greenlets parked: it loads and shows their objects', (t) => {
  const dir = scratch(t);
  const result = outcome(t, runFixture(['heap-snapshot', dir]));
  t.equal(result.wrong, 0, 'all 1,000 resume with their values after the snapshot');
  const snapshot = JSON.parse(readFileSync(result.file, 'utf8'));
  const fields: string[] = snapshot.snapshot.meta.node_fields;
  const types: string[] = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  let markers = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    if (types[snapshot.nodes[i + typeAt]] === 'object' && snapshot.strings[snapshot.nodes[i + nameAt]] === 'ParkedGreenletMarker') markers++;
  }
  t.equal(markers, 1000, "every parked greenlet's marker, held only by its suspended frame");
  t.end();
});

t.test('process.report.writeReport() with greenlets parked, from main and from inside a greenlet', (t) => {
  const dir = scratch(t);
  const result = outcome(t, runFixture(['report', dir]));
  t.equal(result.wrong, 0, 'the parked greenlets resume with their values');
  t.same(result.values, ['reported', 'done'], 'the reporting greenlet goes on');
  const fromMain = JSON.parse(readFileSync(result.fromMain, 'utf8'));
  const fromGreenlet = JSON.parse(readFileSync(result.fromGreenlet, 'utf8'));
  t.ok(fromMain.header && fromMain.javascriptHeap && fromMain.libuv, 'the report from main is complete');
  t.ok(fromGreenlet.header && fromGreenlet.javascriptHeap && fromGreenlet.libuv, 'the report from a greenlet is complete');
  const mainStack: string[] = fromMain.javascriptStack.stack;
  const greenletStack: string[] = fromGreenlet.javascriptStack.stack;
  const mainFrame = /^at (Object\.)?report \(file:.*tools-with-greenlets\.mjs:/;
  t.ok(mainStack.some((line) => mainFrame.test(line)), "main's report shows main's stack");
  t.ok(greenletStack.some((line) => /^at reportInsideGreenlet \(file:/.test(line)), "the greenlet's report shows the greenlet's stack");
  t.notOk(
    greenletStack.some((line) => mainFrame.test(line)),
    "the greenlet's stack ends at its own start, not in main's frames",
  );
  t.end();
});

for (const where of ['main', 'greenlet', 'ended-greenlet']) {
  t.test(`the inspector's Profiler domain, started in ${where}, with greenlets switching`, (t) => {
    const result = outcome(t, runFixture(['profiler', where]));
    t.equal(result.wrong, 0, 'the parked greenlets resume with their values');
    const profile = result.profile as CpuProfile;
    t.ok(profile?.nodes?.length > 0 && profile.samples.length === profile.timeDeltas.length, 'a well-formed profile');
    const counts = samplesBySpinner(profile);
    t.comment(`samples in spinInMain: ${counts.main}, in spinInGreenlet: ${counts.greenlet}`);
    // Each spins 200 ms, sampled every 0.5 ms. V8 keeps only the samples
    // taken while the V8 thread that started the profiler runs, and each
    // greenlet is a V8 thread (docs/platforms.md says why).
    if (where === 'ended-greenlet') {
      // That thread is recycled with its pooled stack, so whichever greenlet
      // runs on it later is sampled; never main.
      t.ok(counts.main < 10, `main's samples are dropped, all or nearly (${counts.main})`);
    } else {
      const [kept, dropped] = where === 'main' ? [counts.main, counts.greenlet] : [counts.greenlet, counts.main];
      t.ok(kept >= 40, `the starting ${where}'s samples are there (${kept})`);
      t.ok(dropped * 5 < kept, `the other's are dropped, all or nearly (${dropped})`);
    }
    t.end();
  });
}

t.test('--cpu-prof with greenlets switching: the profile loads; main is sampled', (t) => {
  const dir = scratch(t);
  const result = outcome(t, runFixture(['cpu-prof'], ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '500']));
  t.equal(result.wrong, 0, 'the parked greenlets resume with their values');
  // CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile; a loader's worker
  // thread (tap's) writes one of its own.
  const files = readdirSync(dir).filter((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  t.equal(files.length, 1, "the main thread's profile written", { files: readdirSync(dir) });
  const profile = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as CpuProfile;
  const counts = samplesBySpinner(profile);
  t.comment(`samples in spinInMain: ${counts.main}, in spinInGreenlet: ${counts.greenlet}`);
  t.ok(counts.main >= 40, `main's samples are there (${counts.main})`);
  t.ok(counts.greenlet * 5 < counts.main, `the greenlet's are dropped, all or nearly (${counts.greenlet})`);
  t.end();
});

t.test('NODE_V8_COVERAGE: functions run only inside greenlets are counted exactly', (t) => {
  const dir = scratch(t);
  const result = outcome(t, runFixture(['coverage'], [], { NODE_V8_COVERAGE: dir }));
  t.same(result.values, [28, 10], 'the greenlet ran as without coverage');
  t.equal(result.wrong, 0, 'the parked greenlets resume with their values');
  const url = pathToFileURL(script).href;
  const scripts = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')).result as { url: string; functions: any[] }[]);
  const ours = scripts.find((entry) => entry.url === url);
  t.ok(ours, 'the fixture is in the coverage');
  const count = (name: string) => ours?.functions.find((fn) => fn.functionName === name)?.ranges[0].count;
  t.equal(count('calledInGreenlet'), 7, 'called 7 times inside a greenlet');
  t.equal(count('calledAcrossASwitch'), 1, 'called once, suspended across a switch');
  t.equal(count('neverCalled'), 0, 'never called');
  t.equal(count('ParkedGreenletMarker'), 100, 'a constructor run in 100 greenlets');
  t.end();
});

t.test('the inspector paused at a breakpoint inside a greenlet: evaluate, read its locals, capture a suspended one', (t) => {
  const result = outcome(t, runFixture(['inspect']));
  t.same(result.values, ['first', 'secret 41 then', 'after'], 'the greenlets ran as without the debugger');
  t.equal(result.wrong, 0, 'the parked greenlets resume with their values');
  const seen = result.seen ?? {};
  t.equal(seen.line, true, 'paused at the breakpoint');
  t.equal(seen.functions?.[0], 'greenletWithLocals', "the top frame is the greenlet's");
  t.equal(seen.evaluate, true, 'Runtime.evaluate runs in the paused greenlet');
  t.equal(seen.evaluateOnFrame, 'secret 41then', "Debugger.evaluateOnCallFrame reads the greenlet's locals");
  t.equal(seen.localSecret, 'secret 41', 'the local scope (what the Scope pane lists) holds its local');
  t.same(
    seen.functions,
    ['greenletWithLocals', 'enter'],
    "the call stack is the paused greenlet's, down to its start (enter, the greenlet layer's)",
  );
  t.match(
    seen.suspendedStack,
    /^ {4}at parkedElsewhere \(file:.*\)\n {4}at suspendedBody \(file:.*\)$/,
    "evaluating captureStack() shows where a suspended greenlet stands, which the debugger's call stack cannot",
  );
  t.end();
});
