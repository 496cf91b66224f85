// WebAssembly with greenlets suspended: V8 aborts the process when its wasm
// code GC runs while any V8 thread is archived (CheckNoArchivedThreads in its
// wasm engine), and each suspended greenlet is an archived thread. Loading the
// core switches that GC off; these children run a code GC at every piece of
// dead code (--stress-wasm-code-gc, tier-up after a tiny budget), once as
// shipped and once with the GC switched back on, which must still abort: the
// day it does not, V8 has lifted the limit and the workaround can go.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runProcess } from '@stackless/test-support';

const fixture = fileURLToPath(new URL('./fixtures/wasm-code-gc.mjs', import.meta.url));

function runCase(mode: string, codeGc: 'on' | 'off') {
  const env: NodeJS.ProcessEnv = { STACKLESS_TEST_WASM_CODE_GC: codeGc };
  const flags = ['--stress-wasm-code-gc', '--wasm-tiering-budget=100'];
  return runProcess(process.execPath, [...flags, fixture, mode], { env, timeout: 120_000 });
}

const expected: Record<string, unknown> = {
  'tier-up': { total: 20 * 50_000, resumed: [10, 11, 12] },
  fetch: { bodies: 300, distinct: 300 },
};
const titles: Record<string, string> = {
  'tier-up': 'a module of our own tiers up with three greenlets suspended; they resume with their values',
  fetch: "three tasklets make 300 fetch() calls (WebAssembly's HTTP parser) while another sleeps",
};

for (const mode of Object.keys(expected)) {
  t.test(titles[mode] ?? mode, (t) => {
    const child = runCase(mode, 'off');
    t.equal(child.signal, null, child.stderr);
    t.equal(child.status, 0, child.stderr);
    t.same(JSON.parse(child.stdout.trim() || '{}'), expected[mode]);
    t.end();
  });
  t.test(`${mode}, with V8's wasm code GC back on: V8 still aborts`, (t) => {
    const child = runCase(mode, 'on');
    t.not(child.status, 0, 'the child did not end normally');
    t.match(child.stderr, /archived threads in combination with wasm not supported/);
    t.end();
  });
}
