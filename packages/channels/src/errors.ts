/** A send or receive on a closed channel (or one closed while receiving). */
export class ChannelClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelClosedError';
  }
}

/** A send or receive with a timeout that ran out first. */
export class ChannelTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelTimeoutError';
  }
}
