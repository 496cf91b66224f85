// The shared memory of a WorkerChannel and the lock-free operations on it.
//
// Two structures share one SharedArrayBuffer:
// - value slots, each owned by whoever took it FREE -> BUSY with one CAS: a
//   sender writes its serialized value there in private, so a sender that
//   dies while writing never exposes a half-written value;
// - an order ring of one 32-bit word per position (Vyukov's bounded queue,
//   with the sequence and the payload folded into one word), into which a
//   sender publishes a filled slot's number with a single CAS, and from which
//   a receiver takes it with a single CAS. The tail and head counters only
//   lag behind the cells, and every thread helps them along, so no thread
//   that stops anywhere can hold the ring up.
// close() publishes a CLOSED marker as the ring's last position: everything
// published before it is drained, nothing can be published after it.
//
// A cell word is (lap << 16) | tag, lap = position / cells (mod 2^16); tag 0
// is empty, CLOSED is the marker, anything else is a slot number + 1.

/** Index of each control word in the Int32 view. */
export const HEAD = 0;
export const TAIL = 1;
/** Bumped after every publish and on close; receivers wait on it. */
export const DATA_SEQ = 2;
/** Bumped after every slot freed and on close; senders wait on it. */
export const SPACE_SEQ = 3;
export const CLOSED_FLAG = 4;
/** How many threads may be waiting on DATA_SEQ / SPACE_SEQ (may overcount). */
export const DATA_WAITERS = 5;
export const SPACE_WAITERS = 6;
const SLOT_HINT = 7;
const CONTROL_WORDS = 8;

const EMPTY = 0;
const CLOSED = 0xffff;
/** Slot numbers are tags 1..0xfffe. */
export const MAX_CAPACITY = 0xfffe;

const FREE = 0;
const BUSY = 1;

/** The sizes a ring is made with; carried in the handle. */
export interface RingShape {
  readonly capacity: number;
  readonly slotBytes: number;
}

/** What take() found at the head. */
export const NOTHING = Symbol('nothing published');
export const CLOSED_MARK = Symbol('closed');

/** Ring cells: a power of two (so positions may wrap at 2^32), with one to spare for the CLOSED marker. */
function cellCount(capacity: number): number {
  let cells = 2;
  while (cells < capacity + 1) cells *= 2;
  return cells;
}

function layout({ capacity, slotBytes }: RingShape) {
  const cells = cellCount(capacity);
  const cellBase = CONTROL_WORDS;
  const stateBase = cellBase + cells;
  const lengthBase = stateBase + capacity;
  const words = lengthBase + capacity;
  const dataBase = Math.ceil((words * 4) / 8) * 8;
  return { cells, cellBase, stateBase, lengthBase, dataBase, bytes: dataBase + capacity * slotBytes };
}

/** Bytes of shared memory a ring of this shape takes. */
export function ringBytes(shape: RingShape): number {
  return layout(shape).bytes;
}

/** One thread's view of a ring. */
export class Ring {
  readonly words: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #capacity: number;
  readonly #slotBytes: number;
  readonly #mask: number;
  readonly #shift: number;
  readonly #cellBase: number;
  readonly #stateBase: number;
  readonly #lengthBase: number;
  readonly #dataBase: number;

  constructor(
    readonly memory: SharedArrayBuffer,
    shape: RingShape,
  ) {
    const { cells, cellBase, stateBase, lengthBase, dataBase, bytes } = layout(shape);
    if (memory.byteLength < bytes) throw new RangeError(`WorkerChannel: shared memory of ${memory.byteLength} bytes is too small for its shape`);
    this.words = new Int32Array(memory, 0, dataBase / 4);
    this.#bytes = new Uint8Array(memory);
    this.#capacity = shape.capacity;
    this.#slotBytes = shape.slotBytes;
    this.#mask = cells - 1;
    this.#shift = Math.log2(cells);
    this.#cellBase = cellBase;
    this.#stateBase = stateBase;
    this.#lengthBase = lengthBase;
    this.#dataBase = dataBase;
  }

  /** Takes a free slot for the caller alone; -1 when every slot is in use (the channel is full). */
  acquireSlot(): number {
    const words = this.words;
    const capacity = this.#capacity;
    const start = (Atomics.add(words, SLOT_HINT, 1) >>> 0) % capacity;
    for (let k = 0; k < capacity; k++) {
      let slot = start + k;
      if (slot >= capacity) slot -= capacity;
      const index = this.#stateBase + slot;
      if (Atomics.load(words, index) === FREE && Atomics.compareExchange(words, index, FREE, BUSY) === FREE) return slot;
    }
    return -1;
  }

  /** Writes into a slot the caller acquired (no one else can see it yet). */
  write(slot: number, data: Uint8Array): void {
    this.#bytes.set(data, this.#dataBase + slot * this.#slotBytes);
    Atomics.store(this.words, this.#lengthBase + slot, data.length);
  }

  /** Gives a slot back (after its value was taken, or when a send is abandoned). */
  releaseSlot(slot: number): void {
    Atomics.store(this.words, this.#stateBase + slot, FREE);
  }

  /** Appends a filled slot to the order; false if the ring is closed (the slot stays the caller's). */
  publish(slot: number): boolean {
    return this.#append(slot + 1);
  }

  /** Appends the CLOSED marker, unless one is there already. */
  close(): void {
    this.#append(CLOSED);
    Atomics.store(this.words, CLOSED_FLAG, 1);
  }

  get closed(): boolean {
    return Atomics.load(this.words, CLOSED_FLAG) !== 0;
  }

  #append(tag: number): boolean {
    const words = this.words;
    for (;;) {
      const position = Atomics.load(words, TAIL);
      const cell = this.#cellBase + (position & this.#mask);
      const lap = (position >>> this.#shift) & 0xffff;
      const empty = lap << 16;
      const seen = Atomics.load(words, cell);
      if (seen === empty) {
        if (Atomics.compareExchange(words, cell, empty, empty | tag) === empty) {
          Atomics.compareExchange(words, TAIL, position, (position + 1) | 0);
          return true;
        }
      } else if (((seen >>> 16) & 0xffff) === lap) {
        if ((seen & 0xffff) === CLOSED) return false;
        // Published by another sender who has not moved the tail yet: help.
        Atomics.compareExchange(words, TAIL, position, (position + 1) | 0);
      }
      // Otherwise the tail we read was stale: read it again.
    }
  }

  /**
   * Takes the value at the head: a private copy of its serialized bytes,
   * {@link NOTHING} when nothing is published, {@link CLOSED_MARK} when the
   * ring is closed and drained. The copy is made before the CAS that takes
   * the position, so a receiver that stops half-way has taken nothing.
   */
  take(): Uint8Array | typeof NOTHING | typeof CLOSED_MARK {
    const words = this.words;
    for (;;) {
      const position = Atomics.load(words, HEAD);
      const cell = this.#cellBase + (position & this.#mask);
      const lap = (position >>> this.#shift) & 0xffff;
      const seen = Atomics.load(words, cell);
      const seenLap = (seen >>> 16) & 0xffff;
      const tag = seen & 0xffff;
      if (seenLap === lap) {
        if (tag === EMPTY) return NOTHING;
        if (tag === CLOSED) return CLOSED_MARK;
        const slot = tag - 1;
        const length = Math.min(Atomics.load(words, this.#lengthBase + slot) >>> 0, this.#slotBytes);
        const start = this.#dataBase + slot * this.#slotBytes;
        // A torn copy (the slot was taken and reused meanwhile) fails the CAS below.
        const copy = this.#bytes.slice(start, start + length);
        const consumed = ((lap + 1) & 0xffff) << 16;
        if (Atomics.compareExchange(words, cell, seen, consumed) === seen) {
          Atomics.compareExchange(words, HEAD, position, (position + 1) | 0);
          this.releaseSlot(slot);
          return copy;
        }
      } else if (seenLap === ((lap + 1) & 0xffff) && tag === EMPTY) {
        // Taken by another receiver who has not moved the head yet: help.
        Atomics.compareExchange(words, HEAD, position, (position + 1) | 0);
      }
    }
  }

  /** How many values are published and not yet taken (a snapshot). */
  get length(): number {
    const length = (Atomics.load(this.words, TAIL) - Atomics.load(this.words, HEAD)) | 0;
    return Math.max(0, Math.min(length, this.#capacity));
  }
}
