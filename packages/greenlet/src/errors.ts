/**
 * Thrown into a greenlet to make it unwind. A `GreenletExit` that escapes a
 * greenlet's `run` is not an error: it is returned to the parent as a value.
 */
export class GreenletExit extends Error {
  constructor(message = 'greenlet exit') {
    super(message);
    this.name = 'GreenletExit';
  }
}

/** A greenlet rule was broken: a cyclic parent chain, `run` set after start, and so on. */
export class GreenletError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GreenletError';
  }
}

/**
 * No machine stack could be had for a greenlet that is starting: the system
 * refused the memory mapping, or the process is near its limit of memory
 * mappings (`vm.max_map_count`). The greenlet stays unstarted and everything
 * else is as it was, so the program can end other greenlets and try again.
 */
export class StackAllocationError extends Error {
  /**
   * `'ERR_STACK_MAP_COUNT'` when the limit of memory mappings is near (see
   * `stats().mappingLimit`); otherwise the name of the system error, such as
   * `'ENOMEM'` (out of memory or address space).
   */
  readonly code: string;

  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackAllocationError';
    this.code = code;
  }
}
