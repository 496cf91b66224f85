// The byte encoding of WorkerChannel values.
//
// v8.serialize is the structured clone, but each call builds a serializer
// object and a Buffer, which costs several times what a channel's own work on
// a small value does. So the common values (primitives, and plain objects and
// dense arrays of them, each object met once) are written here, straight into
// a reused scratch buffer, with the result structured cloning gives; anything
// else (Map, Date, typed arrays, class instances, shared or cyclic
// references, holes, BigInt, ...) goes to v8.serialize, whose output begins
// with its version tag 0xFF, which this encoding never does.
//
// An ArrayBuffer sent on its own is not encoded at all (rawArrayBufferBytes):
// its bytes go straight into the channel's slot, and come out of it straight
// into the ArrayBuffer received (one copy each way, as postMessage makes,
// instead of four).
import { types } from 'node:util';
import * as v8 from 'node:v8';

const FAST = 0x01;
const V8_VERSION_TAG = 0xff;

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const LATIN1 = 6;
const UTF16 = 7;
const OBJECT = 8;
const ARRAY = 9;

/** Values past these sizes go to v8.serialize, which is native and does large values well. */
const MAX_DEPTH = 64;
const MAX_FAST_ARRAY = 1024;
const MAX_FAST_OBJECTS = 32;

const objectPrototype = Object.prototype;
const arrayPrototype = Array.prototype;

/** Eight bytes, to move a float64 to and from any offset. */
const float64Scratch = new Float64Array(1);
const float64Bytes = new Uint8Array(float64Scratch.buffer);

/** Writes values into a scratch buffer reused from call to call (one per thread). */
class Encoder {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  position = 0;
  limit = 0;
  /** Set while a value is being written: a getter that sends meanwhile goes to v8.serialize. */
  busy = false;
  /** The objects met so far in this value (the first seenCount): one met twice needs v8's reference tracking. */
  readonly seen: Array<object | undefined> = new Array(MAX_FAST_OBJECTS).fill(undefined);
  seenCount = 0;

  /** Notes `value` as met; false when it was met before in this value, or too many objects were. */
  meet(value: object): boolean {
    const seen = this.seen;
    const count = this.seenCount;
    if (count >= MAX_FAST_OBJECTS) return false;
    for (let i = 0; i < count; i++) if (seen[i] === value) return false;
    seen[count] = value;
    this.seenCount = count + 1;
    return true;
  }

  /** Forgets the objects met (so as not to keep them alive). */
  forget(): void {
    const seen = this.seen;
    for (let i = 0; i < this.seenCount; i++) seen[i] = undefined;
    this.seenCount = 0;
  }

  /** Room for `count` more bytes; false when the value would pass `limit`. */
  reserve(count: number): boolean {
    const needed = this.position + count;
    if (needed > this.limit) return false;
    if (needed > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < needed) size *= 2;
      const bytes = new Uint8Array(Math.min(size, Math.max(this.limit, needed)));
      bytes.set(this.bytes.subarray(0, this.position));
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer);
    }
    return true;
  }

  byte(value: number): boolean {
    if (!this.reserve(1)) return false;
    this.bytes[this.position++] = value;
    return true;
  }

  /** An unsigned whole number below 2^32, 7 bits a byte. */
  count(value: number): boolean {
    if (!this.reserve(5)) return false;
    const bytes = this.bytes;
    while (value >= 0x80) {
      bytes[this.position++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    bytes[this.position++] = value;
    return true;
  }

  string(value: string): boolean {
    const length = value.length;
    let latin1 = true;
    for (let i = 0; i < length; i++) {
      if (value.charCodeAt(i) > 0xff) {
        latin1 = false;
        break;
      }
    }
    if (!this.byte(latin1 ? LATIN1 : UTF16) || !this.count(length) || !this.reserve(latin1 ? length : 2 * length)) return false;
    const bytes = this.bytes;
    let position = this.position;
    if (latin1) {
      for (let i = 0; i < length; i++) bytes[position++] = value.charCodeAt(i);
    } else {
      // Code units as they are: a lone surrogate survives, as in a structured clone.
      for (let i = 0; i < length; i++) {
        const unit = value.charCodeAt(i);
        bytes[position++] = unit & 0xff;
        bytes[position++] = unit >>> 8;
      }
    }
    this.position = position;
    return true;
  }

  /** False when `value` is not for this encoding, or passes the limit. */
  value(value: unknown, depth: number): boolean {
    switch (typeof value) {
      case 'undefined':
        return this.byte(UNDEFINED);
      case 'boolean':
        return this.byte(value ? TRUE : FALSE);
      case 'number':
        if ((value | 0) === value && !Object.is(value, -0)) {
          if (!this.byte(INT32) || !this.reserve(4)) return false;
          this.view.setInt32(this.position, value, true);
          this.position += 4;
        } else {
          if (!this.byte(FLOAT64) || !this.reserve(8)) return false;
          // In the platform's byte order: both ends are threads of one process.
          float64Scratch[0] = value;
          this.bytes.set(float64Bytes, this.position);
          this.position += 8;
        }
        return true;
      case 'string':
        return this.string(value);
      case 'object':
        if (value === null) return this.byte(NULL);
        return this.object(value, depth);
      default:
        return false;
    }
  }

  object(value: object, depth: number): boolean {
    // A proxy and an arguments object make a structured clone throw DataCloneError: v8 throws it.
    if (depth >= MAX_DEPTH || types.isProxy(value) || types.isArgumentsObject(value) || !this.meet(value)) return false;
    const prototype = Object.getPrototypeOf(value);
    if (prototype === arrayPrototype && Array.isArray(value)) {
      const length = (value as unknown[]).length;
      // Holes and extra properties are kept by a structured clone: v8's job.
      if (length > MAX_FAST_ARRAY || Object.keys(value).length !== length) return false;
      if (!this.byte(ARRAY) || !this.count(length)) return false;
      for (let i = 0; i < length; i++) if (!this.value((value as unknown[])[i], depth + 1)) return false;
      return true;
    }
    if (prototype !== objectPrototype) return false;
    // Own enumerable string keys, in their order, read with [[Get]]: what a
    // structured clone copies; a key a getter deleted meanwhile is left out, as
    // v8 does. So the count is a fixed 4 bytes, written at the end.
    const keys = Object.keys(value);
    if (!this.byte(OBJECT) || !this.reserve(4)) return false;
    const countAt = this.position;
    this.position += 4;
    let count = 0;
    for (const key of keys) {
      const start = this.position;
      if (!this.string(key)) return false;
      const property = (value as Record<string, unknown>)[key];
      if (property === undefined && !Object.hasOwn(value, key)) {
        this.position = start;
        continue;
      }
      if (!this.value(property, depth + 1)) return false;
      count++;
    }
    this.view.setUint32(countAt, count, true);
    return true;
  }
}

const encoder = new Encoder();

/**
 * The bytes of `value`: a view of the thread's scratch buffer, valid until
 * the next call (copy it to keep it), or a new Buffer from v8.serialize. May
 * be longer than `limit` only when it comes from v8.serialize. Throws what
 * v8.serialize throws for a value that cannot be cloned.
 */
export function encodeValue(value: unknown, limit: number): Uint8Array {
  if (encoder.busy) return v8.serialize(value);
  encoder.busy = true;
  encoder.position = 0;
  encoder.limit = limit;
  let fits: boolean;
  try {
    fits = encoder.byte(FAST) && encoder.value(value, 0);
  } finally {
    encoder.forget();
    encoder.busy = false;
  }
  return fits ? encoder.bytes.subarray(0, encoder.position) : v8.serialize(value);
}

const builtInByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
const isResizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get;

/**
 * The bytes of `value` when it is an ArrayBuffer whose structured clone is a
 * plain copy of its bytes (not resizable, not detached, not empty; its
 * prototype and own properties, which a clone drops, do not matter), to be
 * sent raw: a view of the buffer itself, not a copy. Else undefined.
 */
export function rawArrayBufferBytes(value: unknown): Uint8Array | undefined {
  // The built-in getters, not ones a subclass may have put in the way. A
  // detached buffer's length is 0: v8.serialize refuses it, as a clone does.
  if (!types.isArrayBuffer(value) || builtInByteLength.call(value) === 0 || isResizable?.call(value) === true) return undefined;
  return new Uint8Array(value);
}

/** Reads values back from bytes that encodeValue wrote (and were copied since); one per thread, reused. */
class Decoder {
  bytes: Uint8Array = new Uint8Array(0);
  position = 0;

  int32(): number {
    const bytes = this.bytes;
    const at = this.position;
    this.position = at + 4;
    return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  }

  float64(): number {
    float64Bytes.set(this.bytes.subarray(this.position, this.position + 8));
    this.position += 8;
    return float64Scratch[0]!;
  }

  count(): number {
    const bytes = this.bytes;
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[this.position++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  }

  string(tag: number): string {
    const length = this.count();
    const bytes = this.bytes;
    let position = this.position;
    let text = '';
    // In pieces: String.fromCharCode takes its code units as arguments.
    const units: number[] = [];
    for (let i = 0; i < length; i++) {
      if (tag === LATIN1) units.push(bytes[position++]!);
      else {
        units.push(bytes[position]! | (bytes[position + 1]! << 8));
        position += 2;
      }
      if (units.length === 4096) {
        text += String.fromCharCode(...units);
        units.length = 0;
      }
    }
    this.position = position;
    return units.length === 0 ? text : text + String.fromCharCode(...units);
  }

  value(): unknown {
    const tag = this.bytes[this.position++];
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case INT32:
        return this.int32();
      case FLOAT64:
        return this.float64();
      case LATIN1:
      case UTF16:
        return this.string(tag);
      case ARRAY: {
        const length = this.count();
        const array: unknown[] = [];
        for (let i = 0; i < length; i++) array.push(this.value());
        return array;
      }
      case OBJECT: {
        const count = this.int32() >>> 0;
        const object: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.string(this.bytes[this.position++]!);
          const value = this.value();
          // An own data property, as a structured clone makes, even where an
          // assignment would find a setter up the prototype chain ("__proto__").
          if (key in object) Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
          else object[key] = value;
        }
        return object;
      }
      default:
        throw new Error(`WorkerChannel: corrupt value (tag ${String(tag)} at byte ${this.position - 1})`);
    }
  }
}

const decoder = new Decoder();
const EMPTY = new Uint8Array(0);

/**
 * The value that the first `length` of `bytes` (a copy of what encodeValue
 * gave) encode. Unless `bytes` is `private` (the caller gives it up), it may
 * be reused afterwards.
 */
export function decodeValue(bytes: Uint8Array, length = bytes.length, isPrivate = false): unknown {
  if (bytes[0] === V8_VERSION_TAG) {
    // v8.deserialize's typed arrays may be views of its input: it needs bytes of its own.
    return v8.deserialize(isPrivate && length === bytes.length ? bytes : bytes.slice(0, length));
  }
  decoder.bytes = bytes;
  decoder.position = 1;
  try {
    return decoder.value();
  } finally {
    decoder.bytes = EMPTY;
  }
}
