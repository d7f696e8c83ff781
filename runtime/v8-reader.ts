// V8's serialization format read in JavaScript, for the values most messages hold: faster than V8's own reader.
/*
 * V8's deserializer builds each object through its C++ API, one property lookup and store at a time, fills a Map by
 * calling its set method from C++ for each entry, and makes every array holey (which its writer then sends element by
 * element, as a sparse one). The same work done in JavaScript runs through inline caches, and a property name met again
 * (the same key in each of a thousand records) is taken from a cache instead of being read and looked up as a new
 * string. This reader takes the format version V8 writes here (15) and, of its tags, the primitives, strings, plain
 * objects of up to 16 properties, arrays (dense or sparse, holes kept), Maps, Sets, Dates, ArrayBuffers and the host
 * objects of v8-codec.ts, and builds what V8 would: properties defined as own data properties (no setter of a
 * prototype runs), Maps and Sets filled through the built-in methods taken at load, shared and cyclic parts kept.
 * Anything else (a RegExp, an Error, a boxed primitive, a wider object, bytes it does not expect) makes it give up,
 * having run no code of the user's: the caller then reads the body with V8's reader, whose verdict on malformed bytes
 * stands.
 */
import { isIndex } from './array-keys.js';
import { copyBytes, elementsStoreAsOwn, mapGet, mapSet, setAdd, uncurryThis } from './intrinsics.js';

/** Gives up the reading; the caller reads the body with V8's deserializer instead. */
class Unread {}
const unread = new Unread();

/** Reads the host objects of v8-codec.ts from a source this reader or V8's deserializer offers. */
export interface HostSource {
  readUint32(): number;
  readRawBytes(length: number): Buffer;
}

const version = 15;

const Tag = {
  padding: 0x00,
  version: 0xff,
  undefined: 0x5f, // _
  null: 0x30, // 0
  true: 0x54, // T
  false: 0x46, // F
  int32: 0x49, // I
  uint32: 0x55, // U
  double: 0x4e, // N
  bigint: 0x5a, // Z
  oneByteString: 0x22, // "
  twoByteString: 0x63, // c
  reference: 0x5e, // ^
  beginObject: 0x6f, // o
  endObject: 0x7b, // {
  beginDenseArray: 0x41, // A
  endDenseArray: 0x24, // $
  hole: 0x2d, // -
  beginSparseArray: 0x61, // a
  endSparseArray: 0x40, // @
  date: 0x44, // D
  beginMap: 0x3b, // ;
  endMap: 0x3a, // :
  beginSet: 0x27, // '
  endSet: 0x2c, // ,
  arrayBuffer: 0x42, // B
  transferredArrayBuffer: 0x74, // t
  arrayBufferView: 0x56, // V
  hostObject: 0x5c, // \
} as const;

// Taken at load, as V8 uses the built-ins it started with whatever was assigned over them since.
const ObjectPrototype = Object.prototype;
const { defineProperty, hasOwn, keys: objectKeys } = Object;
const NativeArray = Array;
const NativeMap = Map;
const NativeSet = Set;
const NativeDate = Date;
const NativeArrayBuffer = ArrayBuffer;
const { fromCharCode } = String;
const { imul } = Math;
const NativeNumber = Number;
const NativeString = String;
const NativeBigInt = BigInt;
const subarray = uncurryThis(Uint8Array.prototype.subarray) as (
  bytes: Buffer,
  start: number,
  end: number,
) => Buffer;
const readDoubleLE = uncurryThis(Buffer.prototype.readDoubleLE) as (bytes: Buffer, at: number) => number;
type Slice = (this: Buffer, start: number, end: number) => string;
/**
 * What Buffer's toString(encoding, start, end) calls once it has looked the encoding up and checked its arguments,
 * which cost more than the copy for a name or a short string. Not in @types/node; toString stands in should a Node
 * lack them.
 */
const slices = Buffer.prototype as { latin1Slice?: Slice; ucs2Slice?: Slice };
const latin1Slice = uncurryThis(slices.latin1Slice ?? sliceAs('latin1'));
const ucs2Slice = uncurryThis(slices.ucs2Slice ?? sliceAs('utf16le'));

function sliceAs(encoding: BufferEncoding): Slice {
  return function (start, end) {
    return this.toString(encoding, start, end);
  };
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Property names of one byte per character up to this length are kept to be taken again. */
const cachedKeyLength = 32;
const keySlots = 4096;
/**
 * Names read before, by a hash of their bytes, two to a hash: one met again is the same (internalized) string, which
 * V8 stores under at the cost of a pointer comparison. Bounded: a name read into a full pair pushes the older out.
 */
const keys: (string | undefined)[] = new NativeArray<string | undefined>(keySlots).fill(undefined);

/** Deeper values are left to V8's reader (the sender refuses values more than 1000 levels deep). */
const maxDepth = 1100;

/** Sparse arrays longer than this, and than their body could fill, keep their elements in a dictionary. */
const sparseFrom = 1024;

/** The elements the sparse arrays of a body may keep in blocks, in all: a few times what it could fill. */
function sparseRoom(bytes: Buffer): number {
  return Math.max(1024 * 1024, bytes.length * 8);
}

/** The names of the last object read at each of the first depths (see #properties), across readings. */
const shapeDepths = 32;
const shapes: (readonly string[] | undefined)[] = new NativeArray<readonly string[] | undefined>(
  shapeDepths,
).fill(undefined);

/**
 * For each depth, the reading in which its shape's names were all found not to be Object.prototype's: objects of that
 * shape are then assigned their properties without looking again, as no user code runs while a body is read (but
 * where a host object is made, which starts a new reading).
 */
const plainShapes: number[] = new NativeArray<number>(shapeDepths).fill(0);
let readings = 0;

/** Objects of more properties are left to V8's reader (see #properties). */
const maxNames = 16;

/** Bigints of more bytes than this are left to V8 (built here a byte at a time, a long one costs quadratic time). */
const maxBigIntBytes = 64;

/** Up to this length a string is made in JavaScript: cheaper than a call into C++. */
const shortString = 8;

/**
 * The string of `length` (at most shortString) bytes at `at`, one character each, in one call: made of two, it would
 * cost two more strings to collect.
 */
function shortLatin1(b: Buffer, at: number, length: number): string {
  const c = fromCharCode;
  switch (length) {
    case 0:
      return '';
    case 1:
      return c(b[at]!);
    case 2:
      return c(b[at]!, b[at + 1]!);
    case 3:
      return c(b[at]!, b[at + 1]!, b[at + 2]!);
    case 4:
      return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
    case 5:
      return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!);
    case 6:
      return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!);
    case 7:
      return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!);
    default:
      return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
  }
}

/**
 * The string V8 keeps for `name` as a property name. A string read from bytes is another copy, which V8 looks up in
 * its table at each use as a name (a store through it costs several times one through the kept string).
 */
function internalized(name: string): string {
  return objectKeys({ [name]: 0 })[0]!;
}

/** Whether `name` is the `length` bytes at `at`, one character each. */
function holds(name: string, bytes: Buffer, at: number, length: number): boolean {
  if (name.length !== length) return false;
  for (let i = 0; i < length; i++) if (name.charCodeAt(i) !== bytes[at + i]) return false;
  return true;
}

/** Makes an empty array keep its elements in a dictionary: a read-only element does, and stays so once deleted. */
function toDictionary(array: unknown[]): void {
  defineProperty(array, '0', {
    __proto__: null,
    value: undefined,
    enumerable: true,
    configurable: true,
    writable: false,
  } as PropertyDescriptor);
  delete array[0];
}

function defineData(object: object, key: string, value: unknown): void {
  // Without a prototype, so that no get or set Object.prototype was given is read as part of it.
  defineProperty(object, key, {
    __proto__: null,
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  } as PropertyDescriptor);
}

export class V8Reader implements HostSource {
  readonly #bytes: Buffer;
  #at = 0;
  readonly #objects: object[] = [];
  /** How deep in objects reading stands: V8's own reader runs out of stack some thousands of levels down. */
  #depth = 0;
  #metWide = false;
  #reading = ++readings;
  /** The lengths of the sparse arrays read so far that keep their elements in one block. */
  #sparseElements = 0;
  readonly #transferred = new NativeMap<number, ArrayBuffer>();
  readonly #readHost: (source: HostSource) => unknown;

  /** `readHost` reads a host object's contents (from this reader), as v8-codec.ts wrote them. */
  constructor(bytes: Buffer, readHost: (source: HostSource) => unknown) {
    this.#bytes = bytes;
    this.#readHost = readHost;
  }

  /** Numbers an object as V8 does, in the order objects begin. */
  #keep(object: object): void {
    const objects = this.#objects;
    objects[objects.length] = object;
  }

  /** Where reading stands in the bytes. */
  get offset(): number {
    return this.#at;
  }

  /** Whether it gave up on an object of more than 16 properties (see #properties). */
  get metWide(): boolean {
    return this.#metWide;
  }

  /**
   * Reads the version header; gives up on a version this reader does not know, on bytes of another host order, and
   * while a prototype of arrays holds an element (see elementsStoreAsOwn).
   */
  readHeader(): void {
    if (!littleEndian || !elementsStoreAsOwn()) throw unread;
    if (this.#byte() !== Tag.version || this.readUint32() !== version) throw unread;
  }

  /** The ArrayBuffer a transferred one (by `id`) stands for, as V8's deserializer is told. */
  transferArrayBuffer(id: number, buffer: ArrayBuffer): void {
    mapSet(this.#transferred, id, buffer);
  }

  readUint32(): number {
    const bytes = this.#bytes;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.#at >= bytes.length) throw unread;
      const byte = bytes[this.#at++]!;
      // A fifth byte may only hold the top 4 bits; V8 would drop what overflows, and decides such bytes.
      if (shift === 28 && byte > 0x0f) throw unread;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
    throw unread;
  }

  readRawBytes(length: number): Buffer {
    const start = this.#at;
    if (length > this.#bytes.length - start) throw unread;
    this.#at += length;
    return subarray(this.#bytes, start, start + length);
  }

  #byte(): number {
    if (this.#at >= this.#bytes.length) throw unread;
    return this.#bytes[this.#at++]!;
  }

  /** The next tag, past padding, without taking it. */
  #peekTag(): number {
    const bytes = this.#bytes;
    while (this.#at < bytes.length && bytes[this.#at] === Tag.padding) this.#at++;
    if (this.#at >= bytes.length) throw unread;
    return bytes[this.#at]!;
  }

  readValue(): unknown {
    const tag = this.#peekTag();
    this.#at++;
    switch (tag) {
      case Tag.undefined:
        return undefined;
      case Tag.null:
        return null;
      case Tag.true:
        return true;
      case Tag.false:
        return false;
      case Tag.int32: {
        const zigzag = this.readUint32();
        return (zigzag >>> 1) ^ -(zigzag & 1);
      }
      case Tag.uint32:
        return this.readUint32();
      case Tag.double:
        return this.#double();
      case Tag.bigint:
        return this.#bigint();
      case Tag.oneByteString:
        return this.#oneByte(this.readUint32());
      case Tag.twoByteString:
        return this.#twoByte();
      case Tag.reference: {
        const id = this.readUint32();
        if (id >= this.#objects.length) throw unread;
        return this.#objects[id];
      }
      case Tag.beginObject:
        return this.#object();
      case Tag.beginDenseArray:
        return this.#array();
      case Tag.beginSparseArray:
        return this.#sparseArray();
      case Tag.date: {
        const date = new NativeDate(this.#double());
        this.#keep(date);
        return date;
      }
      case Tag.beginMap:
        return this.#map();
      case Tag.beginSet:
        return this.#set();
      case Tag.arrayBuffer: {
        const bytes = this.readRawBytes(this.readUint32());
        const buffer = new NativeArrayBuffer(bytes.length);
        copyBytes(new Uint8Array(buffer), bytes);
        return this.#buffer(buffer);
      }
      case Tag.transferredArrayBuffer: {
        const buffer = mapGet(this.#transferred, this.readUint32());
        if (buffer === undefined) throw unread;
        return this.#buffer(buffer);
      }
      case Tag.hostObject: {
        // Numbered before its contents are read, as V8 does (which refer to no value, so nothing meets the stand-in).
        const at = this.#objects.length;
        this.#keep(ObjectPrototype);
        const object = this.#readHost(this) as object;
        // Making the view may have run code of the user's (a getter put on a view's prototype): what this reading
        // found of Object.prototype's names is found again.
        this.#reading = ++readings;
        this.#objects[at] = object;
        return object;
      }
      default:
        throw unread;
    }
  }

  /** Enters a container, giving up past maxDepth levels; its reading ends with `this.#depth--`. */
  #enter(): void {
    if (++this.#depth > maxDepth) throw unread;
  }

  #double(): number {
    if (this.#bytes.length - this.#at < 8) throw unread;
    const value = readDoubleLE(this.#bytes, this.#at);
    this.#at += 8;
    return value;
  }

  #bigint(): bigint {
    const bitfield = this.readUint32();
    const length = bitfield >>> 1;
    // V8 refuses a negative zero of no digits (there is no -0n).
    if (length > maxBigIntBytes || (length === 0 && bitfield & 1)) throw unread;
    const bytes = this.readRawBytes(length);
    let value = 0n;
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | NativeBigInt(bytes[i]!);
    return bitfield & 1 ? -value : value;
  }

  #oneByte(length: number): string {
    const bytes = this.#bytes;
    const at = this.#at;
    if (length > bytes.length - at) throw unread;
    this.#at += length;
    return length <= shortString ? shortLatin1(bytes, at, length) : latin1Slice(bytes, at, at + length);
  }

  #twoByte(): string {
    const length = this.readUint32();
    if (length % 2 !== 0) throw unread;
    const at = this.#at;
    if (length > this.#bytes.length - at) throw unread;
    this.#at += length;
    return ucs2Slice(this.#bytes, at, at + length);
  }

  /** A property name: a string, or a number V8 wrote for an index, as the name it stands for. */
  #key(): string {
    const tag = this.#peekTag();
    if (tag === Tag.oneByteString) {
      this.#at++;
      return this.#cachedKey(this.readUint32());
    }
    if (tag !== Tag.twoByteString && tag !== Tag.int32 && tag !== Tag.uint32 && tag !== Tag.double)
      throw unread;
    return NativeString(this.readValue());
  }

  #cachedKey(length: number): string {
    if (length > cachedKeyLength) return this.#oneByte(length);
    const bytes = this.#bytes;
    const at = this.#at;
    if (length > bytes.length - at) throw unread;
    let hash = length;
    for (let i = at; i < at + length; i++) hash = imul(hash ^ bytes[i]!, 0x01000193);
    // Two slots per hash, the one used last first: names that share a slot do not push each other out.
    const slot = (hash >>> 0) & (keySlots - 2);
    const first = keys[slot];
    if (first !== undefined && holds(first, bytes, at, length)) {
      this.#at += length;
      return first;
    }
    const second = keys[slot + 1];
    keys[slot + 1] = first;
    if (second !== undefined && holds(second, bytes, at, length)) {
      this.#at += length;
      keys[slot] = second;
      return second;
    }
    const key = internalized(this.#oneByte(length));
    keys[slot] = key;
    return key;
  }

  /**
   * Whether the next property name is `name` (one byte per character), taking it if so. Records of one shape repeat
   * the names of the one before, which costs a comparison instead of a look-up in the cache.
   */
  #nextNameIs(name: string): boolean {
    const bytes = this.#bytes;
    const at = this.#at;
    const length = name.length;
    // Only a name whose length takes one byte (below 128): a longer one's first byte holds just its low bits.
    if (length > 0x7f || bytes[at] !== Tag.oneByteString || bytes[at + 1] !== length) return false;
    if (length > bytes.length - at - 2) return false;
    for (let i = 0; i < length; i++) if (name.charCodeAt(i) !== bytes[at + 2 + i]) return false;
    this.#at = at + 2 + length;
    return true;
  }

  /** Reads properties up to `end`, defining them on `object`; returns how many. */
  #properties(object: object, end: number): number {
    const record = object as Record<string, unknown>;
    const depth = this.#depth;
    const shape = depth < shapeDepths ? shapes[depth] : undefined;
    // The names of the object read last at this depth, while this one follows them (so it has none twice); its own
    // names are listed only once it leaves them, so that records of one shape cost no array each.
    let following = shape !== undefined;
    let names: string[] | undefined = following ? undefined : [];
    const reading = this.#reading;
    const plain = following && plainShapes[depth] === reading;
    let allPlain = true;
    let n = 0;
    while (this.#peekTag() !== end) {
      // V8 builds a wide object at once; one store at a time costs more, past a few names, than it saves elsewhere.
      if (n === maxNames) {
        this.#metWide = true;
        throw unread;
      }
      let key: string;
      if (following && n < shape!.length && this.#nextNameIs(shape![n]!)) {
        key = shape![n]!;
      } else {
        if (following) {
          following = false;
          names = shape!.slice(0, n);
        }
        key = this.#key();
        // V8 refuses a name met twice.
        for (let i = 0; i < n; i++) if (names![i] === key) throw unread;
        names![n] = key;
      }
      n++;
      const value = this.readValue();
      // An assignment defines an own data property unless a prototype has the name (a setter, or read-only).
      // (Unless a view among the values started a new reading.)
      if ((plain && following && this.#reading === reading) || !(key in ObjectPrototype)) {
        record[key] = value;
      } else {
        defineData(object, key, value);
        allPlain = false;
      }
    }
    this.#at++;
    if (depth < shapeDepths) {
      if (names !== undefined) shapes[depth] = names;
      else if (n !== shape!.length) shapes[depth] = shape!.slice(0, n);
      plainShapes[depth] = allPlain && this.#reading === reading ? reading : 0;
    }
    return n;
  }

  #object(): object {
    this.#enter();
    const object = {};
    this.#keep(object);
    const count = this.#properties(object, Tag.endObject);
    if (this.readUint32() !== count) throw unread;
    this.#depth--;
    return object;
  }

  #array(): unknown[] {
    this.#enter();
    const length = this.readUint32();
    // Each element takes a byte at least: a longer array is not in these bytes.
    if (length > this.#bytes.length - this.#at) throw unread;
    // Filled by appending, so an array without holes is packed, as the sender's most likely was; V8's reader makes
    // every array holey, which its writer then sends as a sparse one.
    const array: unknown[] = [];
    this.#keep(array);
    for (let i = 0; i < length; i++) {
      if (this.#peekTag() === Tag.hole) {
        this.#at++;
        array.length = i + 1;
      } else {
        array[i] = this.readValue();
      }
    }
    const count = this.#arrayProperties(array, Tag.endDenseArray);
    if (this.readUint32() !== count || this.readUint32() !== length) throw unread;
    this.#depth--;
    return array;
  }

  /** An array V8 wrote by its indices and names, as it writes one that may have holes. */
  #sparseArray(): unknown[] {
    this.#enter();
    const length = this.readUint32();
    const array: unknown[] = [];
    // Setting a length takes memory for every element of an array that keeps them in one block, as V8's reader does
    // below 32 Mi: a few bytes of hostile input could take gigabytes. One that cannot be mostly filled from the body,
    // or past the elements a body of its size may take in all (thousands of arrays each as long as the rest of the
    // body), keeps its elements in a dictionary instead, as V8 keeps longer ones.
    if (length > sparseFrom) {
      this.#sparseElements += length;
      if (length > this.#bytes.length - this.#at || this.#sparseElements > sparseRoom(this.#bytes))
        toDictionary(array);
    }
    array.length = length;
    this.#keep(array);
    const count = this.#arrayProperties(array, Tag.endSparseArray);
    if (this.readUint32() !== count || this.readUint32() !== length) throw unread;
    this.#depth--;
    return array;
  }

  /** Reads an array's properties up to `end` (elements by index, and names); returns how many. */
  #arrayProperties(array: unknown[], end: number): number {
    let count = 0;
    while (this.#peekTag() !== end) {
      const key = this.#key();
      const value = this.readValue();
      // V8 refuses a name the array has (`length`, an element, a name met before).
      if (hasOwn(array, key)) throw unread;
      if (isIndex(key)) array[NativeNumber(key)] = value;
      else defineData(array, key, value);
      count++;
    }
    this.#at++;
    return count;
  }

  #map(): Map<unknown, unknown> {
    this.#enter();
    const map = new NativeMap<unknown, unknown>();
    this.#keep(map);
    let read = 0;
    while (this.#peekTag() !== Tag.endMap) {
      const key = this.readValue();
      mapSet(map, key, this.readValue());
      read += 2;
    }
    this.#at++;
    if (this.readUint32() !== read) throw unread;
    this.#depth--;
    return map;
  }

  #set(): Set<unknown> {
    this.#enter();
    const set = new NativeSet<unknown>();
    this.#keep(set);
    let read = 0;
    while (this.#peekTag() !== Tag.endSet) {
      setAdd(set, this.readValue());
      read++;
    }
    this.#at++;
    if (this.readUint32() !== read) throw unread;
    this.#depth--;
    return set;
  }

  #buffer(buffer: ArrayBuffer): ArrayBuffer {
    this.#keep(buffer);
    // V8 would read a view of it next (a format our serializer does not write: views are host objects).
    if (this.#at < this.#bytes.length && this.#peekTag() === Tag.arrayBufferView) throw unread;
    return buffer;
  }
}
