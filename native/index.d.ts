/**
 * The native core of stackless: it only moves control between machine stacks.
 * Everything a user sees (values, exceptions, parents) is built on it by
 * `@stackless/greenlet`. Not meant to be used directly.
 */
export interface NativeCore {
  /**
   * `entry(id)` runs each new coroutine on its own stack and returns the id to
   * switch to when it ends; it must not throw. `poll()` is an empty function
   * called before each switch so V8 services pending interrupts.
   */
  setCallbacks(entry: (id: number) => number, poll: () => void): void;
  /**
   * Reserves a stack for a new coroutine; it starts at the first `switchTo`.
   * Throws an Error whose `code` is an errno name (`'ENOMEM'`, ...) or
   * `'ERR_STACK_MAP_COUNT'` when no stack can be mapped.
   */
  create(): number;
  /** Suspends the running coroutine and resumes (or starts) `id`. */
  switchTo(id: number): void;
  /** The running coroutine (0 is the thread's own stack). */
  current(): number;
  isLive(id: number): boolean;
  stats(): CoreStats;
  /** Usable stack size, in bytes (128 KiB to 1 GiB: RangeError otherwise), for coroutines created from now on. */
  setStackSize(bytes: number): void;
  setMaxPooledStacks(count: number): void;
  /** Guard pages for stacks mapped from now on; `'madvise'` only takes where the kernel has guard markers. */
  setGuardMechanism(mechanism: GuardMechanism): void;
  /** Where V8's thread-identity words were found (for diagnostics and tests). */
  identityLayout(): Record<string, { offset: number; width: number }>;
  /** V8's thread id of the running coroutine. */
  v8ThreadId(): number;
  /** Whether the cheap pending-interrupt check verified itself at load. */
  interruptProbeVerified(): boolean;
  /** The state of the restore shortcut that skips V8's debugger stack walk (docs/switch-cost.md). */
  debugWalkBypass(): DebugWalkBypassInfo;
  /** Turns the shortcut on or off (benchmarks, tests); STACKLESS_DEBUG_WALK_BYPASS=0 starts it off. */
  setDebugWalkBypass(enabled: boolean): void;
  /** Blocks until the background lookup of the V8 symbols both shortcuts need has finished. */
  waitForDebugWalkBypassSymbols(): void;
  /** Blocks until V8's symbols are read and the debugger-step guard has prepared itself. */
  waitForV8Symbols(): void;
  /** The state of the guard that keeps debugger steps consistent across switches (docs/greenlet.md). */
  debugStepGuard(): DebugStepGuardInfo;
  /** Makes the guard take its fallback (cancel steps at a switch), as where V8's layout is not verified: for tests. */
  forceDebugStepCancelling(): void;
  /** The state of the direct restore, the switch that drives V8's thread archive itself (docs/switch-cost.md). */
  directRestore(): DirectRestoreInfo;
  /** Turns the direct restore on or off (benchmarks, tests); STACKLESS_DIRECT_RESTORE=0 starts it off. */
  setDirectRestore(enabled: boolean): void;
  /**
   * Makes the direct restore archive through V8's EagerlyArchiveThread whole
   * (false) or component by component where that was verified (true, the
   * default): for tests of both paths.
   */
  setArchiveByComponent(enabled: boolean): void;
  /** Whether scavenges skip settled greenlets (docs/switch-cost.md), and how often they did. */
  scavengeSkip(): ScavengeSkipInfo;
  /**
   * The guard that moves V8's continuation-preserved embedder data (Node 24's
   * AsyncLocalStorage context) out of its slot during scavenges while
   * greenlets exist: V8 visits that isolate-wide slot once per suspended
   * greenlet, and a second visit evacuates a young object twice.
   */
  continuationDataShield(): ContinuationDataShieldInfo;
  /** Turns the scavenge skip on or off (`reason` is what scavengeSkip() then reports). */
  setScavengeSkip(enabled: boolean, reason?: string): void;
  /**
   * For tests of the guard page: recurses in native frames that check no
   * stack limit, using about `bytes` of machine stack (up to 4 GiB), and returns
   * the recursion depth. Past the end of the stack the process dies of SIGSEGV.
   */
  recurseNatively(bytes: number): number;
  /** glibc's malloc_trim(0): gives free C-heap pages back; false if none were (or no glibc). */
  trimMemory(): boolean;
  /**
   * Where coroutine `id` stands: `Error.stack` frame lines, innermost first, at
   * most `limit`, without frames of scripts under the library prefixes. A
   * suspended coroutine is resumed in a capture mode that only walks its
   * stack in native code and switches straight back (no JavaScript runs);
   * the running one is walked in place. `null` for an unstarted or unknown id.
   */
  captureStack(id: number, limit: number): string | null;
  /** Script-name prefixes (file URLs or paths) whose frames captureStack leaves out. */
  setLibraryPrefixes(prefixes: string[]): void;
  /** How many suspended coroutines captureStack has walked (for tests). */
  captures(): number;
  /**
   * The blocking-code watchdog (native/src/watchdog.h): `ms` > 0 turns it on,
   * 0 off. `pending[0]` becomes 1 when a report waits; `deliver()` is called
   * from the event loop then. The byte array must be the same at every call.
   */
  setBlockingWatch(ms: number, frameLimit: number, pending: Uint8Array, deliver: () => void): void;
  /** The waiting report (and clears `pending[0]`), or null. */
  takeBlockingReport(): { elapsedMs: number; coroutine: number; stack: string } | null;
  /** Called by the greenlet layer at load, from inside a join of `inner` nested in `outer`. */
  locateJoinStack(outer: unknown[], inner: unknown[]): void;
  /** Called by the greenlet layer at load, after that join; returns joinStack(). */
  confirmJoinStack(): JoinStackInfo;
  /**
   * Whether the core found V8's join stack (the cycle check of
   * Array.prototype.join), so that it refuses a switch from inside a join.
   */
  joinStack(): JoinStackInfo;
}

export interface DebugStepGuardInfo {
  /**
   * `'on'`: steps across a switch go on (a step into in the greenlet switched
   * to, a step over or out when its greenlet runs again); `'cancelling steps'`:
   * V8's layout could not be verified, a step that reaches a switch is
   * cancelled; `'off'`: no guard (`reason` says why).
   */
  status: 'off' | 'waiting for symbols' | 'on' | 'cancelling steps';
  reason: string;
  /** Steps into handed to the greenlet switched to. */
  handoffs: number;
  /** Steps over or out re-established when their greenlet ran again. */
  kept: number;
  /** Steps cancelled at a switch (status `'cancelling steps'`). */
  cancelled: number;
  /** Where V8's step action lies in its Debug object, when on; else -1. */
  stepOffset: number;
  /** Whether V8's breakpoint numbering is carried from greenlet to greenlet (so breakpoints set in different ones never share a number). */
  carriesBreakpointIds: boolean;
}

export interface JoinStackInfo {
  /** `'on'`: switches inside a join throw; `'off'`: not found, nothing is refused. */
  status: 'on' | 'off';
  reason: string;
  /** Receivers whose join is under way now. */
  entries: number;
}

export interface DebugWalkBypassInfo {
  /** `'on'` once checked against a real restore; `'off'` with a reason; else on its way. */
  status: 'on' | 'off' | 'waiting for symbols' | 'calibrating';
  /** Why it is off; empty otherwise. */
  reason: string;
  /** Restores that skipped the walk, and restores done plainly (debugger active, calibrating, off). */
  bypassed: number;
  plain: number;
  /** Where the exit-frame pointer was observed in ThreadLocalTop, and in a thread's archive. */
  exitFrameOffset: number;
  archiveExitFrameOffset: number;
  /** V8's own answer for exitFrameOffset where the binary can give it, else -1. */
  v8ExitFrameOffset: number;
}

export interface DirectRestoreInfo {
  /** `'on'` once V8's functions are found and checked; `'off'` with a reason. */
  status: 'on' | 'off' | 'waiting for symbols';
  reason: string;
  /** Switches it made, and how many of them had V8 restore the debugger's state. */
  switches: number;
  debuggerRestores: number;
  /**
   * Whether it archives V8's per-thread state component by component, copying
   * the StackGuard's in place (V8's archive code checked to be the expected
   * seven calls), rather than through ThreadManager::EagerlyArchiveThread.
   */
  archivesByComponent: boolean;
}

export interface ContinuationDataShieldInfo {
  /** False where V8 keeps that data in the native context (before V8 12.3): nothing to guard. */
  active: boolean;
  /** Scavenges that ran with the data moved out of its slot. */
  shielded: number;
}

export interface ScavengeSkipInfo {
  /**
   * `'on'` once V8's list of archived threads has been checked against the
   * core's record; `'waiting to verify'` until two greenlets are suspended at
   * a scavenge; `'off'` with a reason.
   */
  status: 'on' | 'off' | 'waiting to verify';
  reason: string;
  /** Scavenges seen; scavenges that skipped settled greenlets; greenlets skipped in all and in the last one. */
  scavenges: number;
  cuts: number;
  threadsSkipped: number;
  lastSkipped: number;
}

/** `'madvise'`: guard markers (MADV_GUARD_INSTALL, Linux 6.13+); `'mprotect'`: PROT_NONE pages. */
export type GuardMechanism = 'madvise' | 'mprotect';

export interface CoreStats {
  live: number;
  pooledStacks: number;
  mappedStacks: number;
  stackSize: number;
  guard: GuardMechanism;
  arenas: number;
  stackSlots: number;
  mappings: number;
  mappingLimit: number;
}

export declare const core: NativeCore;
