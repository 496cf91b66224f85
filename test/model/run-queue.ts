// Stackless' run queue: a circular list whose head is the running tasklet
// (ts->st.current). An array stands for the ring, read from the head:
// ring[0] runs, ring[1] is next, the last element is the "end" of the queue.

export class Ring<T> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  get head(): T | undefined {
    return this.#items[0];
  }

  has(item: T): boolean {
    return this.#items.includes(item);
  }

  /** In run order, head first. */
  toArray(): readonly T[] {
    return this.#items;
  }

  /** slp_current_insert(): just before the head, i.e. at the end of the run order. */
  insertAtEnd(item: T): void {
    this.#assertAbsent(item);
    this.#items.push(item);
  }

  /**
   * slp_current_insert_after() (and generic_channel_action's "move target
   * after source"): right behind the head.
   */
  insertAfterHead(item: T): void {
    this.#assertAbsent(item);
    this.#items.splice(1, 0, item);
  }

  /** slp_current_remove_tasklet(): out of the ring; if it was the head, its successor is. */
  remove(item: T): void {
    const at = this.#items.indexOf(item);
    if (at >= 0) this.#items.splice(at, 1);
  }

  /**
   * `ts->st.current = item` in slp_schedule_task(): the ring turns until
   * `item` is the head. Nothing is reordered, so the tasklets between the old
   * head and `item` now come last.
   */
  makeHead(item: T): void {
    const at = this.#items.indexOf(item);
    if (at < 0) throw new Error('model: makeHead() of a tasklet not in the ring');
    this.#items = [...this.#items.slice(at), ...this.#items.slice(0, at)];
  }

  /** schedule(): the head goes last, its successor runs. */
  rotate(): void {
    if (this.#items.length > 1) this.makeHead(this.#items[1]!);
  }

  #assertAbsent(item: T): void {
    if (this.#items.includes(item)) throw new Error('model: a tasklet inserted twice into the ring');
  }
}
