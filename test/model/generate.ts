// fast-check arbitraries for Programs. References (channels, tasklets,
// creators) are drawn as plain integers and reduced modulo what exists, so
// that every shrink of any part still gives a valid program.
import fc from 'fast-check';

import { type ChannelSpec, type CreateMode, type Op, type Program, type SyncOp, type TaskletSpec, openScopes } from './program.js';

export interface GenerateOptions {
  maxChannels?: number;
  maxTasklets?: number;
  maxOps?: number;
}

/** An op with its references still raw integers. */
type RawOp =
  | { kind: 'channelOp'; op: 'send' | 'sendThrow' | 'receive' | 'close' | 'open'; channel: number }
  | { kind: 'select'; cases: { channel: number; sending: boolean }[]; withDefault: boolean; pick: number }
  | { kind: 'schedule'; withValue: boolean }
  | { kind: 'plain'; op: 'scheduleRemove' | 'getruncount' | 'runAll' }
  | { kind: 'taskletOp'; op: 'kill' | 'run' | 'switch' | 'insert' | 'remove' | 'setup'; target: number }
  | { kind: 'throw'; via: 'throw' | 'raiseException'; target: number }
  | { kind: 'join'; target: number }
  | { kind: 'fail' }
  | { kind: 'sync'; op: SyncOp }
  /** s.cancel() of an open scope, `level` reduced modulo how many are open; dropped outside any scope. */
  | { kind: 'cancel'; level: number }
  | { kind: 'scope'; body: RawOp[] };

interface RawTasklet {
  args: number[];
  ops: RawOp[];
  /** Who creates it: main, or a tasklet defined before it (modulo). */
  creator: number;
  /** Where in the creator's ops (modulo). */
  position: number;
  mode: CreateMode;
}

const ref = fc.nat({ max: 7 });

/** Scopes nest this deep at most. */
const SCOPE_DEPTH = 2;

function rawOp(forMain: boolean, depth = SCOPE_DEPTH): fc.Arbitrary<RawOp> {
  const channelOp = (op: 'send' | 'sendThrow' | 'receive' | 'close' | 'open') =>
    ref.map((channel): RawOp => ({ kind: 'channelOp', op, channel }));
  const taskletOp = (op: 'kill' | 'run' | 'switch' | 'insert' | 'remove' | 'setup') =>
    ref.map((target): RawOp => ({ kind: 'taskletOp', op, target }));
  const choices: fc.WeightedArbitrary<RawOp>[] = [
    { weight: 8, arbitrary: channelOp('send') },
    { weight: 8, arbitrary: channelOp('receive') },
    { weight: 1, arbitrary: channelOp('sendThrow') },
    { weight: 2, arbitrary: channelOp('close') },
    { weight: 1, arbitrary: channelOp('open') },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('select' as const),
        cases: fc.array(fc.record({ channel: ref, sending: fc.boolean() }), { minLength: 1, maxLength: 3 }),
        withDefault: fc.boolean(),
        pick: fc.nat({ max: 99 }).map((n) => n / 100),
      }),
    },
    { weight: 5, arbitrary: fc.boolean().map((withValue): RawOp => ({ kind: 'schedule', withValue })) },
    { weight: 2, arbitrary: fc.constant<RawOp>({ kind: 'plain', op: 'scheduleRemove' }) },
    { weight: 1, arbitrary: fc.constant<RawOp>({ kind: 'plain', op: 'getruncount' }) },
    { weight: 2, arbitrary: taskletOp('kill') },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('throw' as const), via: fc.constantFrom('throw' as const, 'raiseException' as const), target: ref }),
    },
    { weight: 2, arbitrary: taskletOp('run') },
    { weight: 1, arbitrary: taskletOp('switch') },
    { weight: 2, arbitrary: taskletOp('insert') },
    { weight: 1, arbitrary: taskletOp('remove') },
    { weight: 1, arbitrary: taskletOp('setup') },
  ];
  choices.push(
    { weight: 3, arbitrary: ref.map((target): RawOp => ({ kind: 'join', target })) },
    { weight: 2, arbitrary: fc.constant<RawOp>({ kind: 'fail' }) },
    { weight: 4, arbitrary: ref.map((level): RawOp => ({ kind: 'cancel', level })) },
    ...(['lockAcquire', 'lockRelease', 'semAcquire', 'semRelease', 'eventWait', 'eventSet'] as const).map((op) => ({
      weight: 1,
      arbitrary: fc.constant<RawOp>({ kind: 'sync', op }),
    })),
    { weight: 1, arbitrary: fc.constant<RawOp>({ kind: 'sync', op: 'eventClear' }) },
  );
  if (depth > 0) {
    choices.push({
      weight: 4,
      arbitrary: fc.array(rawOp(forMain, depth - 1), { maxLength: 4 }).map((body): RawOp => ({ kind: 'scope', body })),
    });
  }
  if (forMain) choices.push({ weight: 3, arbitrary: fc.constant<RawOp>({ kind: 'plain', op: 'runAll' }) });
  return fc.oneof(...choices);
}

/** The ops of `raws`, a scope's body written out between scopeBegin and scopeEnd; `open`: scopes open around them. */
function resolveOps(raws: readonly RawOp[], channelCount: number, names: readonly string[], open = 0): Op[] {
  const ops: Op[] = [];
  for (const raw of raws) {
    if (raw.kind === 'scope') {
      ops.push({ kind: 'scopeBegin' }, ...resolveOps(raw.body, channelCount, names, open + 1), { kind: 'scopeEnd' });
    } else if (raw.kind === 'cancel') {
      if (open > 0) ops.push({ kind: 'cancel', level: raw.level % open });
    } else {
      ops.push(resolveOp(raw, channelCount, names));
    }
  }
  return ops;
}

function resolveOp(raw: Exclude<RawOp, { kind: 'scope' | 'cancel' }>, channelCount: number, names: readonly string[]): Op {
  const name = (n: number) => names[n % names.length]!;
  switch (raw.kind) {
    case 'channelOp':
      return { kind: raw.op, channel: raw.channel % channelCount };
    case 'select': {
      // Distinct channels: select() refuses a channel both sent to and received from.
      const seen = new Set<number>();
      const cases = [];
      for (const c of raw.cases) {
        const channel = c.channel % channelCount;
        if (seen.has(channel)) continue;
        seen.add(channel);
        cases.push({ channel, sending: c.sending });
      }
      return { kind: 'select', cases, withDefault: raw.withDefault, pick: raw.pick };
    }
    case 'schedule':
      return { kind: 'schedule', withValue: raw.withValue };
    case 'plain':
      return { kind: raw.op };
    case 'taskletOp':
      return { kind: raw.op, target: name(raw.target) };
    case 'throw':
      return { kind: 'throw', via: raw.via, target: name(raw.target) };
    case 'join':
      return { kind: 'join', target: name(raw.target) };
    case 'fail':
      return { kind: 'fail' };
    case 'sync':
      return { kind: raw.op };
  }
}

export function programArbitrary(options: GenerateOptions = {}): fc.Arbitrary<Program> {
  const { maxChannels = 3, maxTasklets = 4, maxOps = 6 } = options;
  const channel: fc.Arbitrary<ChannelSpec> = fc.record({
    capacity: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 2 }) }),
    preference: fc.oneof(
      { weight: 2, arbitrary: fc.constant(-1 as const) },
      { weight: 1, arbitrary: fc.constant(0 as const) },
      { weight: 1, arbitrary: fc.constant(1 as const) },
    ),
  });
  const rawTasklet: fc.Arbitrary<RawTasklet> = fc.record({
    args: fc.array(fc.nat({ max: 9 }), { maxLength: 2 }),
    ops: fc.array(rawOp(false), { maxLength: maxOps }),
    creator: fc.nat({ max: 7 }),
    position: fc.nat({ max: 7 }),
    // 'child' where the creating op lands inside a scope's body, else 'setup'.
    mode: fc.oneof(
      { weight: 3, arbitrary: fc.constant('setup' as const) },
      { weight: 1, arbitrary: fc.constant('bind' as const) },
      { weight: 3, arbitrary: fc.constant('child' as const) },
    ),
  });
  return fc
    .record({
      channels: fc.array(channel, { minLength: 1, maxLength: maxChannels }),
      tasklets: fc.array(rawTasklet, { minLength: 1, maxLength: maxTasklets }),
      main: fc.array(rawOp(true), { maxLength: maxOps }),
      permits: fc.integer({ min: 0, max: 2 }),
    })
    .map(({ channels, tasklets, main, permits }) => {
      const names = tasklets.map((_, i) => `T${i + 1}`);
      const opLists: Op[][] = [resolveOps(main, channels.length, names)];
      for (const t of tasklets) opLists.push(resolveOps(t.ops, channels.length, names));
      // Each tasklet is created by exactly one spawn: in main's ops or in those of a tasklet defined before it.
      tasklets.forEach((t, i) => {
        const creator = opLists[t.creator % (i + 1)]!;
        let at = t.position % (creator.length + 1);
        if (t.mode === 'child' && openScopes(creator, at).length === 0) {
          // Into the body of one of the creator's scopes, if it has any.
          const begins = creator.flatMap((op, pc) => (op.kind === 'scopeBegin' ? [pc] : []));
          if (begins.length > 0) at = begins[t.position % begins.length]! + 1;
        }
        const mode = t.mode === 'child' && openScopes(creator, at).length === 0 ? 'setup' : t.mode;
        creator.splice(at, 0, { kind: 'spawn', target: names[i]!, mode });
      });
      const specs: TaskletSpec[] = tasklets.map((t, i) => ({ name: names[i]!, args: t.args, ops: opLists[i + 1]! }));
      return { channels, tasklets: specs, main: opLists[0]!, permits };
    });
}
