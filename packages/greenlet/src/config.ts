import { core } from '@stackless/native';

/** Options for {@link configure}. */
export interface GreenletOptions {
  /**
   * Usable machine stack per greenlet, in bytes, for greenlets started from
   * now on (default 1 MiB, or `STACKLESS_STACK_SIZE`). Untouched stack pages
   * cost no memory; the size bounds recursion depth inside a greenlet.
   */
  stackSize?: number;
  /** How many stacks of finished greenlets are kept for reuse (default 256). */
  maxPooledStacks?: number;
}

/** Counters of the native core, for diagnostics and leak checks. */
export interface GreenletStats {
  /** Greenlets that have a stack: started and not yet dead. */
  live: number;
  pooledStacks: number;
  mappedStacks: number;
  stackSize: number;
}

const MIN_STACK_SIZE = 128 * 1024;
const MAX_STACK_SIZE = 1024 * 1024 * 1024;

/** Changes how greenlet stacks are made. */
export function configure(options: GreenletOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('configure() takes an options object');
  }
  const { stackSize, maxPooledStacks } = options;
  if (stackSize !== undefined) {
    if (!Number.isInteger(stackSize) || stackSize < MIN_STACK_SIZE || stackSize > MAX_STACK_SIZE) {
      throw new RangeError(
        `stackSize must be a whole number of bytes from ${MIN_STACK_SIZE} (128 KiB) to ${MAX_STACK_SIZE} (1 GiB), not ${String(stackSize)}`,
      );
    }
    core.setStackSize(stackSize);
  }
  if (maxPooledStacks !== undefined) {
    if (!Number.isInteger(maxPooledStacks) || maxPooledStacks < 0 || maxPooledStacks > 2 ** 31) {
      throw new RangeError(`maxPooledStacks must be a whole number >= 0, not ${String(maxPooledStacks)}`);
    }
    core.setMaxPooledStacks(maxPooledStacks);
  }
}

/** The native core's counters now. */
export function stats(): GreenletStats {
  return core.stats();
}

/** Applies `STACKLESS_STACK_SIZE` once, at load. */
export function configureFromEnvironment(env: NodeJS.ProcessEnv): void {
  const size = env.STACKLESS_STACK_SIZE;
  if (size === undefined || size === '') return;
  const bytes = Number(size);
  try {
    configure({ stackSize: bytes });
  } catch (error) {
    throw new RangeError(`STACKLESS_STACK_SIZE: ${(error as Error).message}`);
  }
}
