// A workload whose every observable result depends on switches restoring
// each greenlet's V8 state faithfully: values, exceptions thrown across
// switches, throw() into suspended greenlets, stack traces taken after a
// resume, collections while many are suspended. Tests of the switch's
// shortcuts run it with a shortcut on and off and compare.
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { diagnostics } from '@stackless/native';

const main = getcurrent();
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/**
 * Waits for the V8 symbols the switch shortcuts need, then switches into a
 * new greenlet and back twice, so that each shortcut has met a restore and
 * settled (on, or off with a reason).
 */
export function settleShortcuts(): void {
  diagnostics.waitForV8Symbols();
  const partner = new Greenlet(() => main.switch());
  partner.switch();
  partner.switch();
}

/** Suspends `depth` calls deep, then reports what the resumed code sees. */
export function observe(): unknown[] {
  const seen: unknown[] = [];
  function deep(level: number): string {
    if (level > 0) return deep(level - 1);
    main.switch('parked');
    return new Error('resumed').stack ?? '';
  }
  const workers = Array.from({ length: 50 }, (_, i) =>
    new Greenlet(() => {
      const stack = deep(6);
      if (i % 2 === 0) throw new RangeError(`worker ${i}`);
      try {
        main.switch('again');
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
      return 'not thrown';
    }),
  );
  for (const worker of workers) seen.push(worker.switch());
  gc();
  for (const [i, worker] of workers.entries()) {
    try {
      seen.push(worker.switch());
    } catch (error) {
      seen.push(`thrown ${(error as Error).message}`);
    }
    if (i % 2 === 1) seen.push(worker.throw(new Error(`into ${i}`)));
  }
  const tracer = new Greenlet(() => {
    function frameA(): string {
      return frameB();
    }
    function frameB(): string {
      main.switch();
      return new Error('trace').stack ?? '';
    }
    return frameA();
  });
  tracer.switch();
  gc();
  const trace = tracer.switch() as string;
  seen.push(trace.split('\n').filter((line) => /frameA|frameB/.test(line)).length);
  return seen;
}

