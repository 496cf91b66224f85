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
  /**
   * Turns one of the switch's self-verifying shortcuts on or off (benchmarks,
   * tests, and the STACKLESS_* switches at load); `reason` is what
   * `diagnostics.shortcuts()` reports while it is off (default
   * `'disabled by request'`). On again, a shortcut still verifies itself
   * before it is used. TypeError or RangeError for an unknown name.
   */
  setShortcut(name: ShortcutName, enabled: boolean, reason?: string): void;
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
  /**
   * The blocking-code watchdog (native/src/core/watchdog.h): `ms` > 0 turns it on,
   * 0 off. `pending[0]` becomes 1 when a report waits; `deliver()` is called
   * from the event loop then. The byte array must be the same at every call.
   */
  setBlockingWatch(ms: number, frameLimit: number, pending: Uint8Array, deliver: () => void): void;
  /** The waiting report (and clears `pending[0]`), or null. */
  takeBlockingReport(): { elapsedMs: number; coroutine: number; stack: string } | null;
  /** Called by the greenlet layer at load, from inside a join of `inner` nested in `outer`. */
  locateJoinStack(outer: unknown[], inner: unknown[]): void;
  /** Called by the greenlet layer at load, after that join; returns `diagnostics.joinStack()`. */
  confirmJoinStack(): JoinStackInfo;
}

/** Read-only views of the native core, for tools, tests and benchmarks; nothing here is on the hot path. */
export interface NativeDiagnostics {
  /** Each self-verifying shortcut of the switch: whether it is enabled, its status, why it is off, its counters. */
  shortcuts(): Shortcuts;
  /** Blocks until V8's symbols (which every shortcut needs) are read and the debugger-step guard has prepared itself. */
  waitForV8Symbols(): void;
  /** Where V8's thread-identity words were found. */
  identityLayout(): Record<string, { offset: number; width: number }>;
  /** V8's thread id of the running coroutine. */
  v8ThreadId(): number;
  /** Whether the cheap pending-interrupt check verified itself at load. */
  interruptProbeVerified(): boolean;
  /**
   * The guard that moves V8's continuation-preserved embedder data (Node 24's
   * AsyncLocalStorage context) out of its slot during scavenges while
   * greenlets exist: V8 visits that isolate-wide slot once per suspended
   * greenlet, and a second visit evacuates a young object twice.
   */
  continuationDataShield(): ContinuationDataShieldInfo;
  /**
   * Whether the core found V8's join stack (the cycle check of
   * Array.prototype.join), so that it refuses a switch from inside a join.
   */
  joinStack(): JoinStackInfo;
  /** How many suspended coroutines captureStack has walked. */
  captures(): number;
}

/** The switch's self-verifying shortcuts (native/src/shortcuts/shortcut.h). */
export type ShortcutName = keyof Shortcuts;

/** What every shortcut reports, beside its own counters. */
export interface ShortcutState<Status extends string> {
  /** False once turned off (setShortcut, or its STACKLESS_* switch). */
  enabled: boolean;
  /** `'on'` once verified; `'off'` (see `reason`); else on its way or, for the step guard, its fallback. */
  status: Status | 'on' | 'off';
  /** Why it is off or in its fallback; empty otherwise. */
  reason: string;
}

export interface Shortcuts {
  /** The switch that drives V8's thread archive itself (docs/switch-cost.md). */
  directRestore: DirectRestoreInfo;
  /** The restore that skips V8's debugger stack walk (docs/switch-cost.md). */
  debugWalkBypass: DebugWalkBypassInfo;
  /** Scavenges that skip settled greenlets (docs/switch-cost.md). */
  scavengeSkip: ScavengeSkipInfo;
  /** The guard that keeps debugger steps consistent across switches (docs/greenlet.md). */
  debugStepGuard: DebugStepGuardInfo;
}

/**
 * `status` `'on'`: steps across a switch go on (a step into in the greenlet
 * switched to, a step over or out when its greenlet runs again);
 * `'cancelling steps'`: V8's layout could not be verified, a step that
 * reaches a switch is cancelled; `'off'`: no guard (`reason` says why).
 */
export interface DebugStepGuardInfo extends ShortcutState<'waiting for symbols' | 'cancelling steps'> {
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

/** `status` `'on'` once checked against a real restore. */
export interface DebugWalkBypassInfo extends ShortcutState<'waiting for symbols' | 'calibrating'> {
  /** Restores that skipped the walk, and restores done plainly (debugger active, calibrating, off). */
  bypassed: number;
  plain: number;
  /** Where the exit-frame pointer was observed in ThreadLocalTop, and in a thread's archive. */
  exitFrameOffset: number;
  archiveExitFrameOffset: number;
  /** V8's own answer for exitFrameOffset where the binary can give it, else -1. */
  v8ExitFrameOffset: number;
}

/** `status` `'on'` once V8's functions are found and checked. */
export interface DirectRestoreInfo extends ShortcutState<'waiting for symbols'> {
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

/**
 * `status` `'on'` once V8's list of archived threads has been checked against
 * the core's record; `'waiting to verify'` until two greenlets are suspended
 * at a scavenge.
 */
export interface ScavengeSkipInfo extends ShortcutState<'waiting to verify'> {
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
export declare const diagnostics: NativeDiagnostics;
/** Every STACKLESS_* variable, read once at load (settings.js). */
export declare const settings: import('./settings.js').Settings;
