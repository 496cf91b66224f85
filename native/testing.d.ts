/** Hooks of the native core that only tests use; not part of its surface. */
export interface NativeTesting {
  /**
   * For tests of the guard page: recurses in native frames that check no
   * stack limit, using about `bytes` of machine stack (up to 4 GiB), and returns
   * the recursion depth. Past the end of the stack the process dies of SIGSEGV.
   */
  recurseNatively(bytes: number): number;
  /**
   * Makes the direct restore archive through V8's EagerlyArchiveThread whole
   * (false) or component by component where that was verified (true, the
   * default): for tests of both paths.
   */
  setArchiveByComponent(enabled: boolean): void;
  /** Makes the debugger-step guard take its fallback (cancel steps at a switch), as where V8's layout is not verified. */
  forceDebugStepCancelling(): void;
}

export declare const testing: NativeTesting;
