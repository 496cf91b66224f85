// Iterating a channel: receive until it is closed and drained.
import { ChannelClosedError } from './errors.js';

/** The values `receive()` gives until it throws ChannelClosedError (`for...of` in a tasklet). */
export function* receiveUntilClosed<T>(receive: () => T): Generator<T, void, undefined> {
  for (;;) {
    let value: T;
    try {
      value = receive();
    } catch (error) {
      if (error instanceof ChannelClosedError) return;
      throw error;
    }
    yield value;
  }
}

/** The values `receive()` resolves to until it rejects with ChannelClosedError (`for await` outside tasklets). */
export async function* receiveUntilClosedAsync<T>(receive: () => Promise<T>): AsyncGenerator<T, void, undefined> {
  for (;;) {
    let value: T;
    try {
      value = await receive();
    } catch (error) {
      if (error instanceof ChannelClosedError) return;
      throw error;
    }
    yield value;
  }
}
