// V8's serialization format written in JavaScript, for the values most messages hold, as V8's serializer writes them.
/*
 * V8's serializer keeps every object it wrote in a table the garbage collector treats as roots until the serializer
 * itself is collected, some time later: each collection of the young generation then copies the values of all the
 * messages sent since the last one, which costs more than writing them. This writer keeps its table in a Map that
 * dies with it. It writes primitives, strings, plain objects, arrays without holes (named properties kept), Maps,
 * Sets, Dates, ArrayBuffers and binary views (the host objects of v8-codec.ts, through its SegmentTable), in the
 * format V8 reads (version 15), and gives up on anything else (a RegExp, an Error, a boxed primitive, a class's
 * instance, a Proxy, a function, an array with a hole, an object of many properties): the caller then writes the value
 * with V8's serializer, which decides. A property is looked for on the object, then read with [[Get]], as V8 does, so
 * a getter runs as it would there (and again there, for a getter met before this writer gave up).
 */
import { namedKeys } from './array-keys.js';
import { types, v8 } from './builtins.js';
import {
  copyBytes,
  dateValue,
  elementsStoreAsOwn,
  mapForEach,
  mapGet,
  mapSet,
  setForEach,
  uncurryThis,
} from './intrinsics.js';

/** Gives up the writing; the caller writes the value with V8's serializer instead. */
class Unwritten {}
const unwritten = new Unwritten();

/** What writes a binary view's contents as a host object (v8-codec.ts). */
export type ViewWriter = (view: NodeJS.ArrayBufferView, writer: V8Writer) => void;

const Tag = {
  padding: 0x00,
  version: 0xff,
  undefined: 0x5f,
  null: 0x30,
  true: 0x54,
  false: 0x46,
  int32: 0x49,
  double: 0x4e,
  bigint: 0x5a,
  oneByteString: 0x22,
  twoByteString: 0x63,
  reference: 0x5e,
  beginObject: 0x6f,
  endObject: 0x7b,
  beginDenseArray: 0x41,
  endDenseArray: 0x24,
  hole: 0x2d,
  date: 0x44,
  beginMap: 0x3b,
  endMap: 0x3a,
  beginSet: 0x27,
  endSet: 0x2c,
  arrayBuffer: 0x42,
  transferredArrayBuffer: 0x74,
  hostObject: 0x5c,
} as const;

/** The format this writer writes; where V8 writes another, it gives up on every value. */
const version = 15;

// Taken at load, so that what a user assigns over them later does not change what is written (see intrinsics.ts).
const ObjectPrototype = Object.prototype;
const ArrayPrototype = Array.prototype;
const { getPrototypeOf, getOwnPropertySymbols, hasOwn, is, keys: objectKeys } = Object;
const MapPrototype = Map.prototype;
const SetPrototype = Set.prototype;
const DatePrototype = Date.prototype;
const { isArray } = Array;
const { parseInt: parseInteger } = Number;
const bigintText = uncurryThis(BigInt.prototype.toString) as (value: bigint, radix: number) => string;
const textSlice = uncurryThis(String.prototype.slice);
const regExpExec = uncurryThis(RegExp.prototype.exec);
const writeDoubleLE = uncurryThis(Buffer.prototype.writeDoubleLE) as (
  bytes: Buffer,
  value: number,
  at: number,
) => number;
const resizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get as
  | ((this: ArrayBuffer) => boolean)
  | undefined;
const isResizable = resizable === undefined ? () => false : uncurryThis(resizable);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Write = (this: Buffer, text: string, offset: number, length: number) => number;
/** What Buffer's write(text, offset, encoding) calls once it has checked its arguments (see v8-reader.ts). */
const writes = Buffer.prototype as { latin1Write?: Write; ucs2Write?: Write };
const latin1Write = uncurryThis(writes.latin1Write ?? writeAs('latin1'));
const ucs2Write = uncurryThis(writes.ucs2Write ?? writeAs('utf16le'));

function writeAs(encoding: BufferEncoding): Write {
  return function (text, offset, length) {
    return this.write(text, offset, length, encoding);
  };
}

/** Up to this length a string is written, and looked at for a character past Latin-1, in JavaScript. */
const shortString = 16;
const pastLatin1 = /[\u0100-\uffff]/;

/**
 * The size of the last body written, from which the next writer sizes its memory: messages in a row tend to be alike,
 * so most are written without growing (a copy each time) and handed over without a copy to trim them.
 */
let lastBytes = 0;
const minBytes = 256;
const maxFirstBytes = 4 * 1024 * 1024;

/** Deeper values are left to V8's serializer, which needs less stack (the check refuses past 1000 levels anyway). */
const maxDepth = 1100;

/** Objects nested deeper than this make a value the writer does not vouch for (see `vouched`). */
const vouchedDepth = 100;

/** Objects of more properties are left to V8's serializer (see #plainObject). */
const maxNames = 64;

/** Bigints of more bytes than this are left to V8. */
const maxBigIntBytes = 64;

/**
 * The stack on which writers collect the entries of the Maps and Sets they write, kept from one writer to the next
 * (a new array per Map was most of what writing a Map of records allocated); a writer started while another writes
 * (from a getter) makes its own. One that grew past keptStackSlots is let go.
 */
let idleStack: unknown[] | undefined;
const keptStackSlots = 1 << 16;

export class V8Writer {
  #bytes: Buffer;
  #at = 0;
  readonly #ids = new Map<object, number>();
  readonly #transferred = new Map<ArrayBuffer, number>();
  readonly #writeView: ViewWriter;
  #depth = 0;
  #vouched = true;
  readonly #stack: unknown[] = idleStack ?? [];
  #top = 0;
  /** The highest #top: the slots to clear, so that the stack keeps no value alive. */
  #used = 0;

  constructor(writeView: ViewWriter) {
    this.#bytes = Buffer.allocUnsafe(
      Math.min(maxFirstBytes, Math.max(minBytes, lastBytes + (lastBytes >>> 3))),
    );
    this.#writeView = writeView;
    idleStack = undefined;
  }

  /** Lets the next writer have the stack, holding nothing of what this one wrote. */
  dispose(): void {
    if (this.#used > keptStackSlots) return;
    this.#stack.fill(undefined, 0, this.#used);
    idleStack = this.#stack;
  }

  /** Writes the version header; gives up where V8 writes another format, or in another host order. */
  writeHeader(): void {
    // While a prototype of arrays holds an element, a hole would read it (and V8 would write the hole).
    if (!littleEndian || v8Version() !== version || !elementsStoreAsOwn()) throw unwritten;
    this.#room(2);
    this.#bytes[this.#at++] = Tag.version;
    this.#bytes[this.#at++] = version;
  }

  /**
   * Whether the value written holds only what the run-time check (procxiable.ts) passes and finds nothing in:
   * primitives, plain objects and arrays without symbol keys, and Maps, Sets and Dates of their own class without
   * properties of their own, none nested deep (and no transfer handler registered nor buffer marked meanwhile, see
   * writeInJs). The check of such a value can be skipped: it would throw nothing and
   * find nothing, and what it reads (getters) has been read once already.
   */
  get vouched(): boolean {
    return this.#vouched;
  }

  /** Writes `buffer`, wherever it is met, as the transferred ArrayBuffer `id` (a segment). */
  transferArrayBuffer(id: number, buffer: ArrayBuffer): void {
    mapSet(this.#transferred, buffer, id);
  }

  /**
   * The bytes written, in memory not much larger than they are (a small body after a large one is copied out); gives
   * up if a getter gave a prototype of arrays an element meanwhile, which reading an element may have found.
   */
  release(): Buffer {
    if (!elementsStoreAsOwn()) throw unwritten;
    lastBytes = this.#at;
    const body = this.#bytes.subarray(0, this.#at);
    return this.#bytes.length > minBytes && this.#at < this.#bytes.length / 4 ? Buffer.from(body) : body;
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#at + bytes));
    this.#bytes.copy(grown, 0, 0, this.#at);
    this.#bytes = grown;
  }

  writeUint32(value: number): void {
    this.#room(5);
    const bytes = this.#bytes;
    let rest = value >>> 0;
    while (rest >= 0x80) {
      bytes[this.#at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    bytes[this.#at++] = rest;
  }

  writeRawBytes(source: NodeJS.TypedArray): void {
    const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    this.#room(bytes.length);
    copyBytes(this.#bytes, bytes, this.#at);
    this.#at += bytes.length;
  }

  #tag(tag: number): void {
    this.#room(1);
    this.#bytes[this.#at++] = tag;
  }

  /** A tag and the number that follows it (a length, a count, an id). */
  #tagged(tag: number, value: number): void {
    this.#tag(tag);
    this.writeUint32(value);
  }

  writeValue(value: unknown): void {
    switch (typeof value) {
      case 'string':
        return this.#string(value);
      case 'number':
        return this.#number(value);
      case 'boolean':
        return this.#tag(value ? Tag.true : Tag.false);
      case 'undefined':
        return this.#tag(Tag.undefined);
      case 'bigint':
        return this.#bigint(value);
      case 'object':
        if (value === null) return this.#tag(Tag.null);
        return this.#object(value);
      default:
        // A function or a symbol: V8 refuses it, with its own error.
        throw unwritten;
    }
  }

  #number(value: number): void {
    if ((value | 0) === value && !is(value, -0)) {
      this.#tag(Tag.int32);
      this.writeUint32((value << 1) ^ (value >> 31));
      return;
    }
    this.#room(9);
    this.#bytes[this.#at++] = Tag.double;
    this.#at = writeDoubleLE(this.#bytes, value, this.#at);
  }

  #bigint(value: bigint): void {
    const negative = value < 0n;
    const hex = bigintText(negative ? -value : value, 16);
    // V8 writes whole 64-bit digits, least significant byte first.
    const length = value === 0n ? 0 : Math.ceil(hex.length / 16) * 8;
    if (length > maxBigIntBytes) throw unwritten;
    this.#tagged(Tag.bigint, length * 2 + (negative ? 1 : 0));
    this.#room(length);
    const bytes = this.#bytes;
    for (let i = 0; i < length; i++) {
      const end = hex.length - 2 * i;
      bytes[this.#at++] = end > 0 ? parseInteger(textSlice(hex, Math.max(0, end - 2), end), 16) : 0;
    }
  }

  #string(text: string): void {
    const length = text.length;
    if (length <= shortString) {
      // One pass: written as one byte each until a character needs two (its length fits one varint byte).
      this.#room(2 + length);
      const bytes = this.#bytes;
      let at = this.#at;
      bytes[at++] = Tag.oneByteString;
      bytes[at++] = length;
      for (let i = 0; i < length; i++) {
        const c = text.charCodeAt(i);
        if (c > 0xff) return this.#twoByte(text);
        bytes[at++] = c;
      }
      this.#at = at;
      return;
    }
    if (regExpExec(pastLatin1, text) !== null) return this.#twoByte(text);
    this.#tagged(Tag.oneByteString, length);
    this.#room(length);
    this.#at += latin1Write(this.#bytes, text, this.#at, length);
  }

  #twoByte(text: string): void {
    const byteLength = text.length * 2;
    this.#room(1 + 1 + 5 + byteLength);
    // V8 starts two-byte characters on an even offset, padding before the tag when needed.
    if ((this.#at + 1 + varintBytes(byteLength)) % 2 !== 0) this.#bytes[this.#at++] = Tag.padding;
    this.#bytes[this.#at++] = Tag.twoByteString;
    this.writeUint32(byteLength);
    this.#at += ucs2Write(this.#bytes, text, this.#at, byteLength);
  }

  #object(value: object): void {
    const id = mapGet(this.#ids, value);
    if (id !== undefined) {
      this.#tagged(Tag.reference, id);
      return;
    }
    // Before its prototype is asked for, which runs a Proxy's trap; V8 refuses a Proxy.
    if (types.isProxy(value) || this.#depth === maxDepth) throw unwritten;
    if (this.#depth === vouchedDepth) this.#vouched = false;
    this.#depth++;
    mapSet(this.#ids, value, this.#ids.size);
    // V8 goes by what an object is, not by its prototype: an array, or a Map, of another prototype is still one.
    const proto = getPrototypeOf(value) as object | null;
    if (isArray(value)) {
      // V8 writes it as an array, which arrives as Array's.
      if (proto !== ArrayPrototype) throw unwritten;
      this.#symbolsUnvouch(value);
      this.#array(value);
    } else if (proto === ObjectPrototype && !types.isArgumentsObject(value)) {
      this.#symbolsUnvouch(value);
      this.#plainObject(value as Record<string, unknown>);
    } else if (types.isMap(value)) {
      this.#builtin(value, proto, MapPrototype);
      this.#map(value as Map<unknown, unknown>);
    } else if (types.isSet(value)) {
      this.#builtin(value, proto, SetPrototype);
      this.#set(value as Set<unknown>);
    } else if (types.isDate(value)) {
      this.#builtin(value, proto, DatePrototype);
      this.#room(9);
      this.#bytes[this.#at++] = Tag.date;
      this.#at = writeDoubleLE(this.#bytes, dateValue(value), this.#at);
    } else if (ArrayBuffer.isView(value)) {
      // The check looks at binary values (named keys of a view, detached memory) in ways not repeated here.
      this.#vouched = false;
      this.#tag(Tag.hostObject);
      this.#writeView(value as NodeJS.ArrayBufferView, this);
    } else if (types.isArrayBuffer(value)) {
      this.#vouched = false;
      this.#arrayBuffer(value as ArrayBuffer);
    } else {
      throw unwritten;
    }
    this.#depth--;
  }

  /**
   * A Map, Set or Date is vouched for as `own`'s instance with no property of its own: the check refuses a subclass's
   * methods and a property given to it, which V8 does not write.
   */
  #builtin(value: object, proto: object | null, own: object): void {
    if (proto !== own) this.#vouched = false;
    this.#symbolsUnvouch(value);
    if (!this.#vouched) return;
    for (const key in value) {
      if (hasOwn(value, key)) {
        this.#vouched = false;
        return;
      }
    }
  }

  /** The check refuses a symbol-keyed property, which neither writer writes: such a value is not vouched for. */
  #symbolsUnvouch(value: object): void {
    if (this.#vouched && getOwnPropertySymbols(value).length > 0) this.#vouched = false;
  }

  #plainObject(value: Record<string, unknown>): void {
    const names = objectKeys(value);
    // A wide object's properties are read faster by V8's own writer than one at a time here.
    if (names.length > maxNames) throw unwritten;
    this.#tag(Tag.beginObject);
    this.#tagged(Tag.endObject, this.#named(value, names));
  }

  #array(value: readonly unknown[]): void {
    const length = value.length;
    // V8 writes an array with a hole by the keys it lists before it writes any element, so a getter of an element
    // cannot fill one: looked for before writing (an element's own getter is read twice then, V8 reads it once).
    for (let i = 0; i < length; i++) if (value[i] === undefined && !hasOwn(value, i)) throw unwritten;
    this.#tagged(Tag.beginDenseArray, length);
    for (let i = 0; i < length; i++) this.writeValue(value[i]);
    const named = namedKeys(value) ?? [];
    this.#tagged(Tag.endDenseArray, this.#named(value as unknown as Record<string, unknown>, named));
    this.writeUint32(length);
  }

  /**
   * Writes the properties `names` of `record` as V8 does: each name, then its value, leaving out one that a getter
   * read before removed. Returns how many it wrote.
   */
  #named(record: Record<string, unknown>, names: readonly string[]): number {
    let written = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      // Looked for on the object first, as V8 does: one a getter removed is left out, not read from a prototype.
      if (!hasOwn(record, name)) continue;
      this.#string(name);
      this.writeValue(record[name]);
      written++;
    }
    return written;
  }

  #map(value: Map<unknown, unknown>): void {
    this.#tag(Tag.beginMap);
    // V8 writes the entries as they are when it starts.
    const stack = this.#stack;
    const start = this.#top;
    let top = start;
    mapForEach(value, (item, key) => {
      stack[top++] = key;
      stack[top++] = item;
    });
    this.#tagged(Tag.endMap, this.#writeFrom(start, top));
  }

  #set(value: Set<unknown>): void {
    this.#tag(Tag.beginSet);
    const stack = this.#stack;
    const start = this.#top;
    let top = start;
    setForEach(value, (item) => {
      stack[top++] = item;
    });
    this.#tagged(Tag.endSet, this.#writeFrom(start, top));
  }

  /** Writes the values collected on the stack from `start` to `top` (above which those inside them go); their count. */
  #writeFrom(start: number, top: number): number {
    const stack = this.#stack;
    this.#top = top;
    if (top > this.#used) this.#used = top;
    for (let i = start; i < top; i++) this.writeValue(stack[i]);
    this.#top = start;
    return top - start;
  }

  #arrayBuffer(value: ArrayBuffer): void {
    const transferred = mapGet(this.#transferred, value);
    if (transferred !== undefined) {
      this.#tagged(Tag.transferredArrayBuffer, transferred);
      return;
    }
    // V8 refuses a detached one, and writes a resizable one in a form of its own.
    // Lengths past 32 bits V8 refuses too.
    if (isResizable(value) || detached(value) || value.byteLength > 0xffff_ffff) throw unwritten;
    this.#tagged(Tag.arrayBuffer, value.byteLength);
    this.writeRawBytes(new Uint8Array(value));
  }
}

function detached(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) bytes++;
  return bytes;
}

let writtenVersion: number | undefined;

/** The format version of the V8 running here, as its serializer writes it in a header. */
function v8Version(): number {
  if (writtenVersion === undefined) {
    const header = v8().serialize(0);
    writtenVersion = header[0] === Tag.version ? header[1]! : 0;
  }
  return writtenVersion;
}

/** Whether an error thrown by a V8Writer means it gave up (any other is the view writer's, or a getter's). */
export function gaveUp(error: unknown): boolean {
  return error === unwritten;
}
