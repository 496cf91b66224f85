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

// The control words are spread over separate cache lines (128 bytes apart,
// for CPUs that fetch lines in pairs), grouped by who writes them: receivers,
// senders, parkers of each kind, close(). A word on a line another thread
// keeps writing costs a cache miss at every access.
const LINE = 32;
/** Index of each control word in the Int32 view. */
export const HEAD = 0;
/** Bumped after a slot is freed while a sender is parked, and on close; senders park on it. */
export const SPACE_SEQ = 1;
export const TAIL = LINE;
/** Bumped after a publish while a receiver is parked, and on close; receivers park on it. */
export const DATA_SEQ = LINE + 1;
const SLOT_HINT = LINE + 2;
/**
 * 1 while some thread may be parked on DATA_SEQ / SPACE_SEQ: raised by a
 * waiter before its last try, lowered by the thread that wakes it, so that
 * senders and receivers bump the sequence and call Atomics.notify (a
 * process-wide lock in V8) only when someone sleeps, not at every operation.
 */
export const DATA_PARKED = 2 * LINE;
export const SPACE_PARKED = 3 * LINE;
export const CLOSED_FLAG = 4 * LINE;
const CONTROL_WORDS = 5 * LINE;

const EMPTY = 0;
const CLOSED = 0xffff;
/** Slot numbers are tags 1..0xfffe. */
export const MAX_CAPACITY = 0xfffe;

/** Values up to this size are copied out of the ring into a reused buffer; larger ones into a new one. */
const SCRATCH_LIMIT = 4096;

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

/** Bytes of a cache line (pair): slots start on one, so that neighbouring slots never share one. */
const LINE_BYTES = LINE * 4;
/**
 * A slot's header, before its bytes: its state word and its length word,
 * whose bit RAW says that the bytes are an ArrayBuffer's, not an encoding.
 * (Eight bytes keep the value 8-aligned: V8 copies to and from shared memory
 * byte by byte at an unaligned offset, several times slower.)
 */
const SLOT_HEADER_BYTES = 8;
const RAW = 1 << 30;
/**
 * Consecutive positions go to cells this many words apart (odd, so that it
 * permutes the power-of-two ring): a sender publishing the next position
 * then does not write the cache line that a receiver is taking from.
 */
const CELL_SPREAD = LINE + 1;

const roundUp = (value: number, to: number) => Math.ceil(value / to) * to;

function layout({ capacity, slotBytes }: RingShape) {
  const cells = cellCount(capacity);
  const cellBase = CONTROL_WORDS;
  const dataBase = roundUp((cellBase + cells) * 4, LINE_BYTES);
  const slotStride = roundUp(SLOT_HEADER_BYTES + slotBytes, LINE_BYTES);
  return { cells, cellBase, dataBase, slotStride, bytes: dataBase + capacity * slotStride };
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
  readonly #dataBase: number;
  readonly #slotStride: number;
  #scratch = new Uint8Array(64);
  #taken = this.#scratch;
  #takenPrivate = false;
  #takenBuffer: ArrayBuffer | undefined;

  constructor(
    readonly memory: SharedArrayBuffer,
    shape: RingShape,
  ) {
    const { cells, cellBase, dataBase, slotStride, bytes } = layout(shape);
    if (memory.byteLength < bytes) throw new RangeError(`WorkerChannel: shared memory of ${memory.byteLength} bytes is too small for its shape`);
    this.words = new Int32Array(memory, 0, bytes / 4);
    this.#bytes = new Uint8Array(memory);
    this.#capacity = shape.capacity;
    this.#slotBytes = shape.slotBytes;
    this.#mask = cells - 1;
    this.#shift = Math.log2(cells);
    this.#cellBase = cellBase;
    this.#dataBase = dataBase;
    this.#slotStride = slotStride;
  }

  /** The index of a slot's state word (FREE or BUSY); its length word follows. */
  #stateIndex(slot: number): number {
    return (this.#dataBase + slot * this.#slotStride) >> 2;
  }

  /** The byte offset of a slot's value. */
  #valueStart(slot: number): number {
    return this.#dataBase + slot * this.#slotStride + SLOT_HEADER_BYTES;
  }

  /** The index of the cell for a ring position. */
  #cell(position: number): number {
    return this.#cellBase + (Math.imul(position, CELL_SPREAD) & this.#mask);
  }

  /** Takes a free slot for the caller alone; -1 when every slot is in use (the channel is full). */
  acquireSlot(): number {
    const words = this.words;
    const capacity = this.#capacity;
    const start = (Atomics.add(words, SLOT_HINT, 1) >>> 0) % capacity;
    for (let k = 0; k < capacity; k++) {
      let slot = start + k;
      if (slot >= capacity) slot -= capacity;
      const index = this.#stateIndex(slot);
      if (Atomics.load(words, index) === FREE && Atomics.compareExchange(words, index, FREE, BUSY) === FREE) return slot;
    }
    return -1;
  }

  /**
   * Writes into a slot the caller acquired (no one else can see it yet) the
   * bytes of a value: an encoding, or when `raw` the bytes of an ArrayBuffer,
   * which take() copies into a new ArrayBuffer ({@link takenBuffer}).
   */
  write(slot: number, data: Uint8Array, raw: boolean): void {
    this.#bytes.set(data, this.#valueStart(slot));
    Atomics.store(this.words, this.#stateIndex(slot) + 1, raw ? data.length | RAW : data.length);
  }

  /** Gives a slot back (after its value was taken, or when a send is abandoned). */
  releaseSlot(slot: number): void {
    Atomics.store(this.words, this.#stateIndex(slot), FREE);
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
      const cell = this.#cell(position);
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
   * Takes the value at the head: the length of its serialized bytes, copied
   * into {@link taken} (valid until the next take() in this thread),
   * {@link NOTHING} when nothing is published, {@link CLOSED_MARK} when the
   * ring is closed and drained. The copy is made before the CAS that takes
   * the position, so a receiver that stops half-way has taken nothing.
   */
  take(): number | typeof NOTHING | typeof CLOSED_MARK {
    const words = this.words;
    for (;;) {
      const position = Atomics.load(words, HEAD);
      const cell = this.#cell(position);
      const lap = (position >>> this.#shift) & 0xffff;
      const seen = Atomics.load(words, cell);
      const seenLap = (seen >>> 16) & 0xffff;
      const tag = seen & 0xffff;
      if (seenLap === lap) {
        if (tag === EMPTY) return NOTHING;
        if (tag === CLOSED) return CLOSED_MARK;
        const slot = tag - 1;
        const lengthWord = Atomics.load(words, this.#stateIndex(slot) + 1);
        const length = Math.min(lengthWord & (RAW - 1), this.#slotBytes);
        // A torn copy (the slot was taken and reused meanwhile) fails the CAS below.
        this.#copyOut(this.#valueStart(slot), length, (lengthWord & RAW) !== 0);
        const consumed = ((lap + 1) & 0xffff) << 16;
        if (Atomics.compareExchange(words, cell, seen, consumed) === seen) {
          Atomics.compareExchange(words, HEAD, position, (position + 1) | 0);
          this.releaseSlot(slot);
          return length;
        }
      } else if (seenLap === ((lap + 1) & 0xffff) && tag === EMPTY) {
        // Taken by another receiver who has not moved the head yet: help.
        Atomics.compareExchange(words, HEAD, position, (position + 1) | 0);
      }
    }
  }

  /**
   * Copies `length` bytes from `start` out of the ring ({@link taken}): small
   * values into this thread's scratch buffer for the ring, without allocating.
   */
  #copyOut(start: number, length: number, raw: boolean): number {
    const bytes = this.#bytes;
    if (raw) {
      // An ArrayBuffer's bytes: copied once, into the ArrayBuffer received
      // (allocUnsafeSlow: its own ArrayBuffer, not zero-filled first, not pooled).
      const buffer = Buffer.allocUnsafeSlow(length);
      buffer.set(bytes.subarray(start, start + length));
      this.#takenBuffer = buffer.buffer;
      return length;
    }
    this.#takenBuffer = undefined;
    if (length > SCRATCH_LIMIT) {
      // A large value gets a buffer of its own, which the decoder may keep (no second copy).
      this.#taken = this.#bytes.slice(start, start + length);
      this.#takenPrivate = true;
      return length;
    }
    this.#takenPrivate = false;
    let scratch = (this.#taken = this.#scratch);
    if (scratch.length < length) scratch = this.#scratch = this.#taken = new Uint8Array(Math.min(SCRATCH_LIMIT, Math.max(length, 2 * scratch.length)));
    if (length <= 64) for (let i = 0; i < length; i++) scratch[i] = bytes[start + i]!;
    else scratch.set(bytes.subarray(start, start + length));
    return length;
  }

  /** The bytes the last take() in this thread copied out: the first `length` of this buffer. */
  get taken(): Uint8Array {
    return this.#taken;
  }

  /** When the last take() in this thread found an ArrayBuffer sent raw: a copy of it, the value received (else undefined). */
  get takenBuffer(): ArrayBuffer | undefined {
    return this.#takenBuffer;
  }

  /** Whether {@link taken} is a buffer of its own (else it is reused by the next take()). */
  get takenPrivate(): boolean {
    return this.#takenPrivate;
  }

  /** How many values are published and not yet taken (a snapshot). */
  get length(): number {
    const length = (Atomics.load(this.words, TAIL) - Atomics.load(this.words, HEAD)) | 0;
    return Math.max(0, Math.min(length, this.#capacity));
  }
}
