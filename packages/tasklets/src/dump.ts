// Where every tasklet stands: the state in words and the stack, as Go's
// goroutine dump gives them. Runs no JavaScript of the user's: stacks come
// from Greenlet#captureStack (native), states from the scheduler's records.
import { type Blocker, type TaskletCore, currentCore, liveCores, waitingInRun, wakesAt } from './scheduler.js';

/** `sleeping (sleep(50), wakes in 12 ms)`, `blocked on receive on Channel#3`, ... */
export function stateInWords(core: TaskletCore, blockingNow?: Blocker): string {
  if (core.dead) return 'dead';
  if (blockingNow !== undefined) return `${blockedState(blockingNow)} (deadlock: nothing could wake it)`;
  if (core === currentCore()) return 'running';
  const blocker = core.blocker;
  if (blocker !== undefined) return blockedState(blocker);
  if (core.queued) return 'runnable';
  if (waitingInRun(core)) return 'runnable (waiting in run() for the other tasklets)';
  if (core.alive) return 'paused';
  return 'unbound';
}

function blockedState(blocker: Blocker): string {
  const deadline = (blocker as { [wakesAt]?: number })[wakesAt];
  const state = typeof blocker.state === 'string' ? blocker.state : `blocked on ${blocker.reason}`;
  if (deadline === undefined) return state;
  const left = Math.max(0, Math.ceil(deadline - performance.now()));
  return `${state} (${blocker.reason}, wakes in ${left} ms)`;
}

/** `Tasklet #3 worker <blocked on receive on Channel#2>`: util.inspect's form and a dump's header. */
export function header(core: TaskletCore, blockingNow?: Blocker): string {
  return `Tasklet #${core.id} ${core.name} <${stateInWords(core, blockingNow)}>`;
}

/** One block per live tasklet, separated by blank lines (see dumpTasklets in index.ts). */
export function dump(blocking?: { core: TaskletCore; blocker: Blocker }): string {
  const blocks: string[] = [];
  for (const core of liveCores()) {
    const now = blocking !== undefined && blocking.core === core ? blocking.blocker : undefined;
    const stack = core.started ? core.tasklet.captureStack() : null;
    blocks.push(stack ? `${header(core, now)}\n${stack}` : header(core, now));
  }
  return blocks.join('\n\n');
}

/**
 * A report like Go's goroutine dump: one block per live tasklet of this
 * thread (main first, then by id), blocks separated by blank lines. Each
 * block is a header line, `Tasklet #<id> <name> <<state>>`, with the state in
 * words (`running`, `runnable`, `paused`, `sleeping (...)`, `waiting on a
 * promise`, `blocked on receive on Channel#3`, ...), followed by the lines of
 * the tasklet's {@link Tasklet.captureStack}. Runs no user code.
 *
 * Tasklets that never started and are paused (bound, not inserted) are not
 * listed: nothing of the scheduler holds them.
 *
 * @example
 * ```ts
 * process.on('SIGUSR2', () => process.stderr.write(`${dumpTasklets()}\n`));
 * ```
 */
export function dumpTasklets(): string {
  return dump();
}
