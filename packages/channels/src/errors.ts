/** A send or receive on a closed channel (or one closed while receiving). */
export class ChannelClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelClosedError';
  }
}
