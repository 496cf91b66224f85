// Timing helpers shared by the benchmark scripts: each figure is the median of
// several batches, so one scheduling hiccup on a noisy machine does not move it.
import { diagnostics } from '@stackless/native';

/**
 * Waits until the switch shortcuts have V8's symbols (read on a background
 * thread at load, docs/switch-cost.md): a benchmark started earlier would time
 * its first batches on the slower public path.
 */
export function settleSwitchShortcuts() {
  diagnostics.waitForV8Symbols();
}

/** Median ns per operation of `batch(n)`, which performs n operations. */
export function nsPerOp(batch, { ops = 200_000, batches = 7 } = {}) {
  batch(Math.ceil(ops / 10)); // warm up: optimise, fill pools
  const samples = [];
  for (let i = 0; i < batches; i++) {
    const start = process.hrtime.bigint();
    batch(ops);
    samples.push(Number(process.hrtime.bigint() - start) / ops);
  }
  return median(samples);
}

/** The same for an async batch. */
export async function nsPerOpAsync(batch, { ops = 200_000, batches = 7 } = {}) {
  await batch(Math.ceil(ops / 10));
  const samples = [];
  for (let i = 0; i < batches; i++) {
    const start = process.hrtime.bigint();
    await batch(ops);
    samples.push(Number(process.hrtime.bigint() - start) / ops);
  }
  return median(samples);
}

/** The middle value (the upper one of an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Prints rows of [name, value, unit, note] as an aligned table. */
export function printTable(title, rows) {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value, unit, note = ''] of rows) {
    const shown = typeof value === 'number' ? value.toFixed(value < 10 ? 2 : 0) : value;
    console.log(`  ${name.padEnd(width)}  ${String(shown).padStart(9)} ${unit.padEnd(8)} ${note}`);
  }
}

/**
 * Prints issue 19's "done when" goals measured by this script: rows of
 * [goal, measured, target, unit, how], where measured is a same-run ratio (or
 * an absolute figure where the goal is one) and at most `target` meets it.
 * A measured value of undefined means the anchor is missing here.
 */
export function printGoals(rows) {
  console.log('\nDone-when goals (issue 19): measured / target, at most 1.00 meets it');
  const width = Math.max(...rows.map(([goal]) => goal.length));
  for (const [goal, measured, target, unit, how = ''] of rows) {
    if (measured === undefined || Number.isNaN(measured)) {
      console.log(`  ${goal.padEnd(width)}  skipped: ${how}`);
      continue;
    }
    const shown = (value) => `${value.toFixed(value < 10 ? 2 : 0)}${unit}`;
    const ofTarget = measured / target;
    console.log(
      `  ${goal.padEnd(width)}  ${shown(measured).padStart(10)} vs ${shown(target).padEnd(8)} ` +
        `${ofTarget.toFixed(2)} of target, ${ofTarget <= 1 ? 'met' : 'not met'}${how ? `  (${how})` : ''}`,
    );
  }
}
