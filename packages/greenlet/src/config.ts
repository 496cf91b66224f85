import { core } from '@stackless/native';
import type { Settings } from '@stackless/native/settings';
import { describe } from './describe.js';

import type { StackAllocationError } from './errors.js';

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
  /** Stacks of finished greenlets kept for reuse. */
  pooledStacks: number;
  /** Stacks holding memory: those of live greenlets plus the pooled ones. */
  mappedStacks: number;
  /** Usable bytes per stack for greenlets started from now on. */
  stackSize: number;
  /**
   * How stack guard pages are made. `'madvise'`: guard markers
   * (`MADV_GUARD_INSTALL`, Linux 6.13+), which cost no memory mapping, so the
   * number of greenlets is bounded by memory only. `'mprotect'`: a
   * `PROT_NONE` page per stack, two memory mappings each, so
   * `vm.max_map_count` bounds the number of live greenlets.
   */
  guard: 'madvise' | 'mprotect';
  /** Memory mappings holding this thread's stacks; each holds many stack slots. */
  arenas: number;
  /** Stack slots in those mappings (address space reserved, not memory). */
  stackSlots: number;
  /** Entries of the process's memory-map table this thread's stacks may use at most. */
  mappings: number;
  /**
   * How many entries the stacks of all threads together may use:
   * `vm.max_map_count` less a quarter left to V8 and the rest of the process.
   * Past it, starting a greenlet throws {@link StackAllocationError}.
   */
  mappingLimit: number;
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
    if (typeof maxPooledStacks !== 'number') {
      throw new TypeError(`maxPooledStacks must be a number, not ${describe(maxPooledStacks)}`);
    }
    if (!Number.isInteger(maxPooledStacks) || maxPooledStacks < 0 || maxPooledStacks > 2 ** 31) {
      throw new RangeError(`maxPooledStacks must be a whole number >= 0, not ${maxPooledStacks}`);
    }
    core.setMaxPooledStacks(maxPooledStacks);
  }
}

/**
 * Gives the C heap's free pages back to the system (glibc's `malloc_trim(0)`);
 * returns whether any were. It blocks for up to ~0.1 s on a large heap, so
 * it is never done automatically. After a burst of greenlets on the main
 * thread it gives back little: V8 keeps a small record per V8 thread it has
 * seen, and those pin most pages (docs/greenlet.md, "Memory after a
 * burst"). After a worker that ran the burst has ended it gives back nearly
 * all of the worker's memory.
 */
export function trimMemory(): boolean {
  return core.trimMemory();
}

/** The native core's counters now. */
export function stats(): GreenletStats {
  return core.stats();
}

/**
 * Applies `STACKLESS_STACK_SIZE` and `STACKLESS_STACK_GUARD` once, at the
 * bootstrap, as `@stackless/native` read them (its settings table).
 * `STACKLESS_STACK_GUARD=mprotect` makes guard pages with mprotect even where
 * the kernel has guard markers (to diagnose a kernel problem, or to test the
 * portable path).
 */
export function configureFromSettings(settings: Pick<Settings, 'stackGuard' | 'stackSize'>): void {
  if (settings.stackGuard === 'mprotect') core.setGuardMechanism('mprotect');
  if (settings.stackSize === undefined) return;
  try {
    configure({ stackSize: settings.stackSize });
  } catch (error) {
    throw new RangeError(`STACKLESS_STACK_SIZE: ${(error as Error).message}`);
  }
}
