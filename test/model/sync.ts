// Lock, Semaphore and Event in the model (docs/structured.md, "Lock,
// Semaphore, Event"): each serves its waiters first come, first served. A
// release hands the lock or the permit to the longest waiter at once (it is
// the holder from then on, and runs when its turn in the ring comes), as
// gevent's Semaphore and Go's sync.Mutex in starvation mode do.
import type { ModelTasklet } from './tasklet.js';
import { WaitQueue } from './wait-queue.js';

export class ModelLock {
  holder: ModelTasklet | undefined;
  readonly queue = new WaitQueue();

  get locked(): boolean {
    return this.holder !== undefined;
  }
}

export class ModelSemaphore {
  readonly queue = new WaitQueue();

  constructor(
    /** Permits free; never above 0 while somebody waits. */
    public value: number,
  ) {}
}

export class ModelEvent {
  isSet = false;
  readonly queue = new WaitQueue();
}
