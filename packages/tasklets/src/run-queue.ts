/** A member of the run queue: the links are the tasklet's own, so moves cost nothing. */
export interface Queued {
  queuePrev: Queued | undefined;
  queueNext: Queued | undefined;
  queued: boolean;
}

/**
 * The runnable tasklets in round-robin order, as a circular doubly-linked
 * list (Stackless' chain of runnables). While a runnable tasklet runs it is
 * the head; `rotate()` moves the head to the tail, which is all `schedule()`
 * does.
 */
export class RunQueue<T extends Queued> {
  head: T | undefined;
  size = 0;

  append(item: T): void {
    this.#link(item);
  }

  /**
   * Makes `item` the head, as Stackless does with the tasklet it switches to:
   * one not in the queue is inserted at the tail first (so the old head comes
   * right after it); for one already in the queue the ring turns to it, and
   * those that were ahead of it go behind.
   */
  makeHead(item: T): void {
    if (!item.queued) this.#link(item);
    this.head = item;
  }

  remove(item: T): void {
    if (!item.queued) return;
    item.queued = false;
    this.size--;
    if (this.size === 0) {
      this.head = undefined;
    } else {
      item.queuePrev!.queueNext = item.queueNext;
      item.queueNext!.queuePrev = item.queuePrev;
      if (this.head === item) this.head = item.queueNext as T;
    }
    item.queuePrev = item.queueNext = undefined;
  }

  /** The head goes to the tail; the next one becomes the head. */
  rotate(): void {
    if (this.head !== undefined) this.head = this.head.queueNext as T;
  }

  #link(item: T): void {
    if (item.queued) this.remove(item);
    item.queued = true;
    this.size++;
    const head = this.head;
    if (head === undefined) {
      item.queuePrev = item.queueNext = item;
      this.head = item;
      return;
    }
    // Just before the head: the tail of a circular list.
    const tail = head.queuePrev!;
    item.queuePrev = tail;
    item.queueNext = head;
    tail.queueNext = item;
    head.queuePrev = item;
  }
}
