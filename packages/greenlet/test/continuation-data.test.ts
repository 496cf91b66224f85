// Scavenges while greenlets are suspended and the AsyncLocalStorage context is
// young (continuation_data_shield.h): on Node 24 an unguarded core died in the
// scavenger in about two runs of three, so each case runs a few processes.
import t from 'tap';
import { AsyncLocalStorage } from 'node:async_hooks';
import { diagnostics } from '@stackless/native';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

const [major, minor] = process.versions.v8.split('.').map(Number);
// V8 12.3 moved the data from the native context into the isolate.
const isolateWide = major > 12 || (major === 12 && minor >= 3);
// Node 24's AsyncLocalStorage keeps its context there (AsyncContextFrame);
// Node 20 and 22's is built on async_hooks (and has _enable), leaving it unset.
const framesInData = typeof (AsyncLocalStorage.prototype as unknown as { _enable?: unknown })._enable !== 'function';
const rounds = 60;
const expected = {
  main: Array.from({ length: rounds }, (_, k) => k),
  inGreenlet: Array.from({ length: rounds }, (_, k) => -k),
  last: 'm',
};

for (const [label, env] of [
  ['with the scavenge skip', {}],
  ['without the scavenge skip (every suspended greenlet visited)', { STACKLESS_SCAVENGE_SKIP: '0' }],
] as const) {
  t.test(`young AsyncLocalStorage context at scavenges, ${label}`, (t) => {
    for (let run = 0; run < 4; run++) {
      const result = runChild(fixture('young-async-context.mjs'), ['--expose-gc'], [], env);
      expectExit(t, result);
      if (result.status !== 0 || result.signal !== null) break;
      const seen = JSON.parse(result.stdout.trim());
      const { shield, ...stores } = seen;
      t.same(stores, expected, 'every store reads back as set');
      t.equal(shield?.active, isolateWide, 'the shield is in use where V8 keeps the data in the isolate');
      if (isolateWide && framesInData) t.ok(shield?.shielded > 0, 'scavenges ran shielded');
      else if (!isolateWide) t.equal(shield?.shielded, 0, 'nothing to shield');
    }
    t.end();
  });
}

t.test('the shield reports itself', (t) => {
  const info = diagnostics.continuationDataShield();
  t.equal(info.active, isolateWide);
  t.type(info.shielded, 'number');
  t.end();
});
