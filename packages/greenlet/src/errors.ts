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
