// The native core finds V8's thread-identity words at load without symbols.
// Here the answer is checked against the symbol table of the node binary
// (not stripped on these machines), and each greenlet is shown to be a V8
// thread of its own.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { core } from '@stackless/native';
import { Greenlet, getcurrent } from '@stackless/greenlet';

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
  const layout = core.identityLayout();
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
  const mainId = core.v8ThreadId();
  const ids: number[] = [];
  const greenlets = Array.from({ length: 5 }, () => {
    const g = new Greenlet(() => {
      ids.push(core.v8ThreadId());
      main.switch();
      ids.push(core.v8ThreadId());
    });
    g.switch();
    return g;
  });
  t.equal(new Set(ids).size, 5, 'five distinct ids');
  t.notOk(ids.includes(mainId), "none is main's");
  for (const g of greenlets) g.switch();
  t.same(ids.slice(5), ids.slice(0, 5), 'each keeps its id across switches');
  t.equal(core.v8ThreadId(), mainId, 'main is itself again');
  const recycled: number[] = [];
  new Greenlet(() => recycled.push(core.v8ThreadId())).switch();
  t.ok(ids.includes(recycled[0]!), 'a new greenlet reuses a pooled stack and its V8 thread');
  t.end();
});

t.test('the interrupt probe verified itself on this V8', (t) => {
  t.equal(core.interruptProbeVerified(), true);
  t.end();
});
