// The end of a thread: tasklets still suspended are killed through the
// scheduler, as Stackless does at shutdown (slp_kill_tasks_with_stacks), so
// that their finally blocks run with the scheduler working. The greenlet
// layer unwinds plain greenlets afterwards; left to it, a tasklet would be
// resumed behind the scheduler's back.
import { TaskletExit } from './errors.js';
import { currentCore, raiseIn, startedTasklets } from './scheduler.js';

/**
 * Finally blocks may start, wake or park other tasklets, and may catch the
 * exit: a few passes end those too, without looping for ever on a tasklet
 * that swallows every exit.
 */
const EXIT_PASSES = 3;

function killAllAtExit(): void {
  const failures: unknown[] = [];
  for (let pass = 0; pass < EXIT_PASSES; pass++) {
    // The tasklet running the exit (main, or one that called process.exit())
    // cannot be killed from its own stack; Stackless leaves it alone too.
    const self = currentCore();
    const suspended = startedTasklets().filter((core) => core !== self);
    if (suspended.length === 0) break;
    for (const core of suspended) {
      if (core.dead || core === currentCore()) continue;
      try {
        raiseIn(core, new TaskletExit('the thread is ending'));
      } catch (error) {
        failures.push(error);
      }
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, 'errors while killing tasklets at exit');
}

/** Ahead of the greenlet layer's own unwinding, which is registered first. */
export function killTaskletsAtExit(): void {
  process.prependOnceListener('exit', killAllAtExit);
}
