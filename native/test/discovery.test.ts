// The native core finds V8's thread-identity words at load without symbols.
// Here the answer is checked against the symbol table of the node binary
// (not stripped on these machines), and each greenlet is shown to be a V8
// thread of its own.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnostics } from '@stackless/native';
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { type ChildResult, describeExit, expectExit, fixtureIn, runChild, runProcess } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

/** Offsets of V8's TLS variables from the executable's symbol table. */
function tlsSymbolOffsets(): Map<string, number> {
  const table = execFileSync('readelf', ['-sW', '-C', process.execPath], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const offsets = new Map<string, number>();
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== 'TLS' || fields[6] === 'UND') continue;
    offsets.set(fields.slice(7).join(' '), Number.parseInt(fields[1]!, 16));
  }
  return offsets;
}

t.test('discovered offsets match the symbols of this node binary', (t) => {
  const symbols = tlsSymbolOffsets();
  const named: Record<string, RegExp> = {
    'current isolate': /^v8::internal::g_current_isolate_$/,
    'current per-isolate thread data': /^v8::internal::g_current_per_isolate_thread_data_$/,
    'thread id': /^v8::internal::\(anonymous namespace\)::thread_id$/,
    'thread stack start': /^v8::base::\(anonymous namespace\)::thread_stack_start$/,
  };
  const offsetOf = (pattern: RegExp) => {
    const names = [...symbols.keys()].filter((name) => pattern.test(name));
    t.equal(names.length, 1, `one symbol matches ${pattern}`);
    return symbols.get(names[0]!);
  };
  const layout = diagnostics.identityLayout();
  for (const [slot, pattern] of Object.entries(named)) {
    t.equal(layout[slot]?.offset, offsetOf(pattern), `${slot} at the symbol's offset`);
  }
  t.equal(layout['thread id']!.width, 4);
  // The pointers entering the isolate sets: the marking barrier always, the
  // current local heap too from V8 14 on; nothing else.
  const enterPointers = Object.entries(layout)
    .filter(([slot]) => slot.startsWith('enter pointer'))
    .map(([, { offset }]) => offset);
  const markingBarrier = offsetOf(/current_marking_barrier$/);
  t.ok(enterPointers.includes(markingBarrier!), 'the marking barrier is among them');
  const localHeap = [...symbols].find(([name]) => /g_current_local_heap_$/.test(name))?.[1];
  t.ok(enterPointers.every((offset) => offset === markingBarrier || offset === localHeap), 'and only known words');
  t.equal(Object.keys(layout).length, 4 + enterPointers.length);
  t.end();
});

t.test('each running greenlet is its own V8 thread; ids are recycled with stacks', (t) => {
  const main = getcurrent();
  const mainId = diagnostics.v8ThreadId();
  const ids: number[] = [];
  const greenlets = Array.from({ length: 5 }, () => {
    const g = new Greenlet(() => {
      ids.push(diagnostics.v8ThreadId());
      main.switch();
      ids.push(diagnostics.v8ThreadId());
    });
    g.switch();
    return g;
  });
  t.equal(new Set(ids).size, 5, 'five distinct ids');
  t.notOk(ids.includes(mainId), "none is main's");
  for (const g of greenlets) g.switch();
  t.same(ids.slice(5), ids.slice(0, 5), 'each keeps its id across switches');
  t.equal(diagnostics.v8ThreadId(), mainId, 'main is itself again');
  const recycled: number[] = [];
  new Greenlet(() => recycled.push(diagnostics.v8ThreadId())).switch();
  t.ok(ids.includes(recycled[0]!), 'a new greenlet reuses a pooled stack and its V8 thread');
  t.end();
});

t.test('the interrupt probe verified itself on this V8', (t) => {
  t.equal(diagnostics.interruptProbeVerified(), true);
  t.end();
});

t.test('discovery needs no symbol table: the same layout under a stripped copy of node', (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'stackless-strip-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const stripped = join(directory, 'node');
  // The binutils for this binary's architecture (x86-64 ones cannot strip an
  // arm64 node run under emulation); Debian names them by target triplet.
  const triplet = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as string] ?? process.arch;
  try {
    execFileSync(`${triplet}-linux-gnu-strip`, ['-o', stripped, process.execPath]);
  } catch {
    execFileSync('strip', ['-o', stripped, process.execPath]);
  }
  const table = execFileSync('readelf', ['-SW', stripped], { encoding: 'utf8' });
  t.notMatch(table, /\.symtab/, 'the copy has no symbol table');
  const result = runProcess(stripped, ['--expose-gc', fixture('stripped-binary.mjs')], { timeout: 120_000 });
  const clean = result.signal === null && result.status === 0;
  t.ok(clean, 'the stripped node ran greenlets and exited cleanly', clean ? {} : { details: describeExit(result) });
  if (!clean) return t.end();
  const { layout, sum, bypass } = JSON.parse(result.stdout) as {
    layout: unknown;
    sum: number;
    bypass: { status: string; reason: string };
  };
  t.same(layout, diagnostics.identityLayout(), 'same identity layout as with symbols');
  // Node 20 and 22 export the two V8 functions the bypass needs (.dynsym
  // survives stripping); later versions keep them local, so it stays off.
  const exported = execFileSync('readelf', ['--dyn-syms', '-W', stripped], { encoding: 'utf8', maxBuffer: 512 << 20 });
  if (/debug_is_active_address/.test(exported) && /HandleScopeImplementer21ArchiveSpacePerThread/.test(exported)) {
    t.equal(bypass.status, 'on', 'the bypass found its symbols among the exported ones');
  } else {
    t.equal(bypass.status, 'off', 'without the symbols the bypass stays off');
    t.match(bypass.reason, /not in the symbol tables/, 'and says why');
  }
  // The last worker (i = 99) is started by round 0 and then adds round + 99 for rounds 1 to 49.
  let expected = 0;
  for (let round = 1; round < 50; round++) expected += round + 99;
  t.equal(sum, expected, 'the last worker saw every value it was sent');
  t.end();
});

t.test('an unsupported platform is refused with an explanation at load', (t) => {
  const result = runChild(fixture('unsupported-platform.mjs'));
  expectExit(t, result);
  t.match(result.stdout, /stackless: linux-riscv64 is not supported; the native core runs on linux-x64 and linux-arm64/);
  t.end();
});

// The message itself says why (issue 14, item 9): only a missing build is
// cured by rebuilding, and the real cause used to be in error.cause alone.
t.test('addons turned off by --no-addons are named as the cause at load', (t) => {
  const result = runChild(fixture('load-refused.mjs'), ['--no-addons']);
  expectExit(t, result);
  t.match(result.stdout, /stackless: Node\.js runs with --no-addons, .*run node without --no-addons/);
  t.notMatch(result.stdout, /rebuild/);
  t.end();
});

t.test('the permission model without --allow-addons is named as the cause at load', (t) => {
  // --permission from Node 22.13/23.5 on; --experimental-permission before.
  const permission = process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
  const flags = [permission, '--allow-fs-read=*', '--no-warnings'];
  // Through env -u: tap puts its preload back into NODE_OPTIONS of every
  // node it sees spawned, and the preload uses process.binding, which the
  // permission model denies.
  const load = (extra: string[]): ChildResult =>
    runProcess('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, ...flags, ...extra, fixture('load-refused.mjs')], {
      timeout: 60_000,
    });
  const refused = load([]);
  expectExit(t, refused);
  t.match(refused.stdout, /stackless: the permission model is on without --allow-addons, .*add --allow-addons/);
  t.notMatch(refused.stdout, /rebuild/);
  const allowed = load(['--allow-addons']);
  expectExit(t, allowed);
  t.equal(allowed.stdout.trim(), 'loaded', 'with --allow-addons it loads');
  t.end();
});
