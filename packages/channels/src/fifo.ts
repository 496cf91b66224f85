/**
 * A first-in, first-out queue on a ring buffer, for a channel's waiting
 * tasklets and buffered values. An array used as a queue costs a call into
 * V8's C++ runtime on every `shift()`, and after it the next `push()` grows
 * the storage again; a ring buffer takes and puts in place.
 */
export class Fifo<T> implements Iterable<T> {
  /** A power of two long, so that positions wrap with a mask. */
  #items: Array<T | undefined> = new Array<T | undefined>(4).fill(undefined);
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The oldest item, or undefined when empty. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    const items = this.#items;
    items[(this.#head + this.#length) & (items.length - 1)] = item;
    this.#length++;
  }

  /** Takes the oldest item out, or returns undefined when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const items = this.#items;
    const item = items[this.#head];
    items[this.#head] = undefined; // the queue no longer keeps it alive
    this.#head = (this.#head + 1) & (items.length - 1);
    this.#length--;
    return item;
  }

  /** Takes `item` out wherever it is, keeping the others in order; false if absent. */
  remove(item: T): boolean {
    const items = this.#items;
    const mask = items.length - 1;
    let at = 0;
    while (at < this.#length && items[(this.#head + at) & mask] !== item) at++;
    if (at === this.#length) return false;
    for (; at < this.#length - 1; at++) {
      items[(this.#head + at) & mask] = items[(this.#head + at + 1) & mask];
    }
    items[(this.#head + at) & mask] = undefined;
    this.#length--;
    return true;
  }

  /** Takes every item out, oldest first. */
  drain(): T[] {
    const all = [...this];
    this.#items.fill(undefined);
    this.#head = 0;
    this.#length = 0;
    return all;
  }

  *[Symbol.iterator](): Iterator<T> {
    const items = this.#items;
    for (let at = 0; at < this.#length; at++) yield items[(this.#head + at) & (items.length - 1)] as T;
  }

  #grow(): void {
    const items = [...this];
    const capacity = this.#items.length * 2;
    while (items.length < capacity) items.push(undefined as T);
    this.#items = items;
    this.#head = 0;
  }
}
