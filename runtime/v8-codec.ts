// V8 bodies whose large or transferred binaries travel as raw segments beside the body instead of inside it.
/*
 * Node's DefaultSerializer writes every ArrayBufferView as a host object with its bytes inline. Ours prefixes each
 * host object with a tag: `inline` keeps Node's format, `segment` writes only (view type, segment, offset, length),
 * so a placeholder lives inside V8's own binary format and can never be mistaken for user data. Top-level
 * ArrayBuffers go out of band through V8's transferArrayBuffer, which refers to them by segment number. A segment is
 * the caller's bytes, borrowed (the channel copies what it cannot write before the send returns, so the caller may
 * reuse its buffer at once), or, for buffers marked with transfer(), their memory itself, taken from the sender,
 * which is left detached. A buffer's later views are parts of its segment, so views that share memory here share
 * it there too, as with structuredClone (a borrowed segment spans its views from the first one's start, up to a
 * view that starts 64 KiB or more past the rest, which travels apart).
 */
import type * as V8 from 'node:v8';
import { namedKeys, someElement } from './array-keys.js';
import { types, v8 } from './builtins.js';
import { SerializationError } from './errors.js';
import { HandledRebuild } from './handled-rebuild.js';
import { keepLayout } from './layouts.js';
import type { Findings } from './procxiable.js';
import {
  checkTakeable,
  isMarked,
  marksPending,
  segmentThreshold,
  takeMemory,
  viewMemory,
} from './transfer.js';
import { handlersRegistered, handlerTaking } from './transfer-handlers.js';
import { type HostSource, V8Reader } from './v8-reader.js';
import { gaveUp, V8Writer } from './v8-writer.js';
import { propertyStep } from './value-path.js';

const cycleReason = 'its payload holds, through its parts, the value it stands for';

const inlineTag = 0;
const segmentTag = 1;
const handledTag = 2;

/** Stands where a transfer handler took a value: a view, so V8 hands it to our host-object hook. */
class HandledMark extends Uint8Array {
  readonly index: number;
  constructor(index: number) {
    super(0);
    this.index = index;
  }
}

function isObject(item: unknown): boolean {
  return typeof item === 'object' && item !== null;
}

/**
 * Thrown through substitute where a transfer handler takes an object the check found no handled object at (a getter
 * that makes a new one on each read): each level it passes adds its step, so the refusal can name the path.
 */
class Unmarked {
  readonly steps: string[] = [];
  constructor(readonly handler: string) {}
}

/** Rethrows `error`, an Unmarked one with `step` added (steps come innermost first). */
function passUp(error: unknown, step: string | number): never {
  if (error instanceof Unmarked)
    error.steps.push(typeof step === 'number' ? `[${step}]` : propertyStep(step));
  throw error;
}

/** The protocol's fields that hold values, as the check names them in a path. */
const messageFields: Readonly<Record<string, string>> = {
  '.a': 'args',
  '.args': 'args',
  '.v': 'result',
  '.r': 'reason',
  '.e': 'error',
};

/** A path in a message as the caller knows it: `args[0].p` for `.a[0].p`; a thrown value's wrapper is left out. */
function messagePath(steps: readonly string[]): string {
  const [field = '', ...rest] = steps;
  const named = messageFields[field];
  if (named === undefined) return `message${steps.join('')}`;
  return named + ((field === '.r' || field === '.e') && rest[0] === '.value' ? rest.slice(1) : rest).join('');
}

function unmarkedRefusal(unmarked: Unmarked): SerializationError {
  const path = messagePath(unmarked.steps.reverse());
  return new SerializationError(
    `${path}: transfer handler '${unmarked.handler}' takes this object, but the check found another here: it changed between the check and the encoding (a getter that makes a new one on each read?). Read it once and pass what it gave`,
    path,
  );
}

/**
 * `value` with every handled object replaced by its mark (`markOf` gives it, or undefined for another object). Its
 * arrays, Maps, Sets and objects are copied, each once and registered before it is filled, so the copy keeps the
 * value's cycles and shared parts (the caller's value stays as it was); an array or object that holds no object,
 * and anything else (a Date, an Error, binary data), is taken as it is.
 */
function substitute(
  value: unknown,
  markOf: (object: object) => HandledMark | undefined,
  copies: Map<object, unknown>,
): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const mark = markOf(value);
  if (mark !== undefined) return mark;
  const known = copies.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const named = namedKeys(value);
    const record = value as unknown as Record<string, unknown>;
    if (!someElement(value, isObject) && !named?.some((key) => isObject(record[key]))) return value;
    const copy: unknown[] = new Array(value.length);
    copies.set(value, copy);
    let step: string | number = 0;
    try {
      someElement(value, (item, i) => {
        step = i;
        copy[i] = substitute(item, markOf, copies);
        return false;
      });
      for (const key of named ?? []) {
        step = key;
        define(copy, key, substitute(record[key], markOf, copies));
      }
    } catch (error) {
      passUp(error, step);
    }
    return copy;
  }
  if (types.isMap(value)) {
    const copy = new Map<unknown, unknown>();
    copies.set(value, copy);
    let i = 0;
    try {
      for (const [k, v] of value) {
        copy.set(substitute(k, markOf, copies), substitute(v, markOf, copies));
        i++;
      }
    } catch (error) {
      passUp(error, `<entry ${i}>`);
    }
    return copy;
  }
  if (types.isSet(value)) {
    const copy = new Set<unknown>();
    copies.set(value, copy);
    let i = 0;
    try {
      for (const item of value) {
        copy.add(substitute(item, markOf, copies));
        i++;
      }
    } catch (error) {
      passUp(error, `<item ${i}>`);
    }
    return copy;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    if (!isDataObject(value)) return value;
    // The check would have found it handled, and given it a mark: it is not the object the check saw.
    const handler = handlerTaking(value);
    if (handler !== undefined) throw new Unmarked(handler);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (!keys.some((key) => isObject(record[key]))) return value;
  // An object literal takes plain assignment, far cheaper than defining each property; `__proto__` stays a key.
  const plain = proto === Object.prototype;
  const copy = (plain ? {} : Object.create(proto)) as Record<string, unknown>;
  copies.set(value, copy);
  let step = '';
  try {
    for (const key of keys) {
      step = key;
      const item = substitute(record[key], markOf, copies);
      if (plain && key !== '__proto__') copy[key] = item;
      else define(copy, key, item);
    }
  } catch (error) {
    passUp(error, step);
  }
  return copy;
}

/** Sets a data property as an assignment would make it, where an assignment could not (`__proto__`, a setter). */
function define(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An instance of a class of the caller's own (not a built-in such as Date or Error), which V8 writes as an object. */
function isDataObject(value: object): boolean {
  return (
    !types.isDate(value) &&
    !types.isRegExp(value) &&
    !types.isNativeError(value) &&
    !types.isBoxedPrimitive(value) &&
    !ArrayBuffer.isView(value) &&
    !types.isAnyArrayBuffer(value)
  );
}

// Taken at load, as the readers must not run what a user put in their place (see v8-reader.ts).
const bufferFrom = Buffer.from as (
  source: ArrayBuffer | Uint8Array,
  offset?: number,
  length?: number,
) => Buffer;
const NativeDataView = DataView;
const NativeBuffer = Buffer;

// Node's own numbering of view types (lib/v8.js); 10 is Buffer.
export const viewTypes = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  DataView,
  Buffer,
  BigInt64Array,
  BigUint64Array,
] as const;
const bufferType = 10;
const dataViewType = 9;

function viewType(view: NodeJS.ArrayBufferView): number {
  if (view.constructor === Buffer) return bufferType;
  const tag = Object.prototype.toString.call(view).slice(8, -1);
  const index = viewTypes.findIndex((type, i) => i !== bufferType && type.name === tag);
  if (index === -1) throw new SerializationError(`Unserializable binary value: ${tag}`, 'value');
  return index;
}

/**
 * Where a borrowed segment starts for a view at `offset`: on the 8-byte boundary at or before it. The receiver puts
 * a segment at the start of memory of its own, so a later typed array of the buffer inside the segment keeps the
 * alignment it had in the sender (a Float64Array 8 bytes into a buffer whose first view started at byte 1 would
 * otherwise land at an odd offset, which no typed array may have).
 */
function alignedStart(offset: number): number {
  return offset - (offset % 8);
}

interface Segment {
  readonly source: ArrayBuffer;
  /** Transferred: the whole buffer's memory moves. Borrowed: its bytes from `start` to `end` travel. */
  readonly transfer: boolean;
  /** Where the segment begins in its source; the offsets written for views count from here. */
  readonly start: number;
  end: number;
  covered: boolean;
}

/** Where a host object's bytes go: V8's serializer, or V8Writer. */
export interface HostSink {
  writeUint32(value: number): void;
  writeRawBytes(bytes: NodeJS.TypedArray): void;
}

/** The segments of one message: which binary values travel beside the body, and how views refer to them. */
export class SegmentTable {
  readonly segments: Segment[] = [];
  /** The segment of each buffer that has one: later views of the buffer are parts of it, so they share memory. */
  readonly #bySource = new Map<ArrayBufferLike, number>();
  readonly #outOfBand = new Set<ArrayBuffer>();

  /** Sends an ArrayBuffer value out of band; returns its segment, or undefined when it has one already. */
  outOfBand(buffer: ArrayBuffer): number | undefined {
    if (this.#outOfBand.has(buffer)) return undefined;
    this.#outOfBand.add(buffer);
    return this.#add(buffer, isMarked(buffer), 0, buffer.byteLength, true);
  }

  #add(source: ArrayBuffer, transfer: boolean, start: number, end: number, covered: boolean): number {
    const index = this.segments.length;
    this.segments.push({ source, transfer, start, end, covered });
    if (!this.#bySource.has(source)) this.#bySource.set(source, index);
    return index;
  }

  /** Writes a view as a host object's contents: its bytes inline, or a part of a segment. */
  writeView(view: NodeJS.ArrayBufferView, sink: HostSink): void {
    const memory = viewMemory(view);
    const source = memory.buffer as ArrayBuffer;
    const { byteOffset, byteLength } = memory;
    const marked = isMarked(source);
    const known = this.#bySource.get(source);
    const segment = known === undefined ? undefined : this.segments[known]!;
    // A view into memory that already travels as a segment goes as a part of it, however small, unless it starts
    // before the segment does (a borrowed segment begins near its first view, see alignedStart) or so far past its
    // end that the bytes between would cost more than a copy of its own.
    const within =
      segment !== undefined &&
      byteOffset >= segment.start &&
      (segment.transfer || byteOffset <= segment.end + segmentThreshold);
    if (!marked && !within && byteLength < segmentThreshold) {
      // As Node's own writer does (type, length, bytes), from the memory the built-in getters give.
      sink.writeUint32(inlineTag);
      sink.writeUint32(viewType(view));
      sink.writeUint32(byteLength);
      sink.writeRawBytes(new Uint8Array(source, byteOffset, byteLength));
      return;
    }
    const covers = byteOffset === 0 && byteLength === source.byteLength;
    const viewEnd = byteOffset + byteLength;
    const index = within
      ? known!
      : marked
        ? this.#add(source, true, 0, source.byteLength, covers)
        : this.#add(source, false, alignedStart(byteOffset), viewEnd, covers);
    const part = this.segments[index]!;
    if (covers) part.covered = true;
    if (viewEnd > part.end) part.end = viewEnd;
    sink.writeUint32(segmentTag);
    sink.writeUint32(viewType(view));
    sink.writeUint32(index);
    sink.writeUint32(byteOffset - part.start);
    sink.writeUint32(byteLength);
  }
}

// Made per message: one of each is kept idle for its layout (see layouts.ts).
keepLayout(new SegmentTable());
keepLayout(new V8Writer(() => {}));
keepLayout(new V8Reader(Buffer.alloc(0), () => undefined));

/** A host object as SegmentSerializer wrote it: a view inside the body or of a segment, or a handled value's mark. */
function readHostObject(
  source: HostSource,
  segments: readonly Buffer[],
  handled: readonly object[],
): unknown {
  const tag = source.readUint32();
  if (tag === inlineTag) return readInline(source);
  if (tag === handledTag) {
    const index = source.readUint32();
    if (index >= handled.length) throw new RangeError('Malformed handled-value reference');
    return handled[index];
  }
  if (tag !== segmentTag) throw new RangeError(`Malformed host object tag ${tag}`);
  const type = source.readUint32();
  const segment = segments[source.readUint32()];
  const offset = source.readUint32();
  const length = source.readUint32();
  const Type = viewTypes[type];
  if (segment === undefined || Type === undefined || offset + length > segment.length) {
    throw new RangeError('Malformed segment reference');
  }
  const start = segment.byteOffset + offset;
  const memory = segment.buffer as ArrayBuffer;
  if (type === bufferType) return bufferFrom(memory, start, length);
  if (type === dataViewType) return new NativeDataView(memory, start, length);
  const ViewType = Type as Exclude<(typeof viewTypes)[number], typeof Buffer | typeof DataView>;
  if (start % ViewType.BYTES_PER_ELEMENT !== 0 || length % ViewType.BYTES_PER_ELEMENT !== 0) {
    throw new RangeError('Misaligned segment reference');
  }
  return new ViewType(memory, start, length / ViewType.BYTES_PER_ELEMENT);
}

/**
 * A view written inside the body, as Node's own reader takes it, except that a length which is not a whole number
 * of elements is refused: Node's reader drops the partial element, so the call would get other bytes than sent.
 */
function readInline(source: HostSource): NodeJS.ArrayBufferView {
  const Type = viewTypes[source.readUint32()];
  const length = source.readUint32();
  if (Type === undefined) throw new RangeError('Malformed inline view type');
  const size = 'BYTES_PER_ELEMENT' in Type ? Type.BYTES_PER_ELEMENT : 1;
  if (length % size !== 0) throw new RangeError('Misaligned inline view');
  let bytes = source.readRawBytes(length);
  // A typed array must start on its element size; the body may hold it anywhere.
  if (bytes.byteOffset % size !== 0) bytes = bufferFrom(bytes);
  const memory = bytes.buffer as ArrayBuffer;
  if (Type === NativeBuffer) return bufferFrom(memory, bytes.byteOffset, length);
  if (Type === NativeDataView) return new NativeDataView(memory, bytes.byteOffset, length);
  const ViewType = Type as Exclude<(typeof viewTypes)[number], typeof Buffer | typeof DataView>;
  return new ViewType(memory, bytes.byteOffset, length / size);
}

/** Our serializer and deserializer classes, made on first use (node:v8 loads then; see builtins.ts). */
function codecClasses({ DefaultSerializer, DefaultDeserializer }: typeof V8) {
  // Node documents these hooks as overridable; @types/node leaves them out.
  const HostSerializer = DefaultSerializer as unknown as new () => V8.DefaultSerializer & {
    _writeHostObject(view: NodeJS.ArrayBufferView): void;
  };
  const HostDeserializer = DefaultDeserializer as unknown as new (
    body: Buffer,
  ) => V8.DefaultDeserializer & { _readHostObject(): unknown };

  class SegmentSerializer extends HostSerializer {
    readonly table = new SegmentTable();

    /** Sends an ArrayBuffer value out of band; called for each before the value is written. */
    outOfBand(buffer: ArrayBuffer): void {
      const index = this.table.outOfBand(buffer);
      if (index !== undefined) this.transferArrayBuffer(index, buffer);
    }

    override _writeHostObject(view: NodeJS.ArrayBufferView): void {
      if (view instanceof HandledMark) {
        this.writeUint32(handledTag);
        this.writeUint32(view.index);
        return;
      }
      this.table.writeView(view, this);
    }
  }

  class SegmentDeserializer extends HostDeserializer {
    readonly #segments: readonly Buffer[];
    handled: readonly object[] = [];

    constructor(body: Buffer, segments: readonly Buffer[]) {
      super(body);
      this.#segments = segments;
    }

    override _readHostObject(): unknown {
      return readHostObject(this, this.#segments, this.handled);
    }
  }

  return { SegmentSerializer, SegmentDeserializer };
}

let classes: ReturnType<typeof codecClasses> | undefined;
const codec = () => (classes ??= codecClasses(v8()));

export interface EncodedV8 {
  readonly body: Buffer;
  /** The segments' bytes to send after the body, in order, one chunk each. */
  readonly chunks: readonly Uint8Array[];
  /**
   * The memory of the chunks that are the caller's own bytes (segments not marked for transfer), which the caller
   * may change once the message is sent: whatever of them cannot be written at once must be copied first.
   */
  readonly borrowed: ReadonlySet<ArrayBufferLike> | undefined;
  /** Whether the value is one the run-time check would pass and find nothing in (V8Writer.vouched). */
  readonly vouched: boolean;
}

/**
 * Serializes `value`. `findings` (from the inspection of the value) lists the ArrayBuffer values to send out of
 * band and the objects transfer handlers took. The body is: V8 header, the number of handled payloads, each
 * `[name, payload]`, then the value. `fits` hears the sizes of the body and the segments before any memory is taken
 * for transfer, and throws to send nothing: a refused message leaves every buffer as it was.
 */
/** The body as V8Writer writes it, or undefined when it gave up (the value holds what only V8 writes). */
export function writeInJs(
  value: unknown,
  outOfBand: readonly ArrayBuffer[] | undefined,
): { body: Buffer; table: SegmentTable; vouched: boolean } | undefined {
  const table = new SegmentTable();
  const writer = new V8Writer((view, sink) => table.writeView(view, sink));
  try {
    writer.writeHeader();
    for (const buffer of outOfBand ?? []) {
      const index = table.outOfBand(buffer);
      if (index !== undefined) writer.transferArrayBuffer(index, buffer);
    }
    writer.writeUint32(0);
    writer.writeValue(value);
    const body = writer.release();
    // A getter may have registered a transfer handler, or marked a buffer, which the check would then find.
    return { body, table, vouched: writer.vouched && !handlersRegistered() && !marksPending() };
  } catch (error) {
    if (gaveUp(error)) return undefined;
    throw error;
  } finally {
    writer.dispose();
  }
}

/** The body as V8's serializer writes it, with the objects transfer handlers took as their payloads. */
export function writeByV8(
  value: unknown,
  findings: Findings | undefined,
): { body: Buffer; table: SegmentTable } {
  const serializer = new (codec().SegmentSerializer)();
  serializer.writeHeader();
  for (const buffer of findings?.outOfBand ?? []) serializer.outOfBand(buffer);
  const handled = findings?.handled;
  if (handled === undefined || handled.size === 0) {
    serializer.writeUint32(0);
    serializer.writeValue(value);
  } else {
    serializer.writeUint32(handled.size);
    // A handled object's payload is written when its mark is first needed, after the payloads of those it holds
    // (written as their marks), so the receiver has rebuilt each before it meets its mark.
    const marks = new Map<object, HandledMark>();
    // One map of copies for the payloads and the value: an object both hold is written once and arrives as one.
    const copies = new Map<object, unknown>();
    const writing = new Set<object>();
    const markOf = (object: object): HandledMark | undefined => {
      const entry = marks.has(object) ? undefined : handled.get(object);
      if (entry === undefined) return marks.get(object);
      // The check refuses a payload that reaches back to its holder (procxiable.ts); this keeps the encoder finite.
      if (writing.has(object))
        throw new SerializationError(`${entry.name || 'an Error'}: ${cycleReason}`, '');
      writing.add(object);
      serializer.writeValue([entry.name, substitute(entry.payload, markOf, copies)]);
      writing.delete(object);
      const mark = new HandledMark(marks.size);
      marks.set(object, mark);
      return mark;
    };
    let substituted: unknown;
    try {
      substituted = substitute(value, markOf, copies);
      // Those only the check reached (inside an Error, say) still go, before the value, as the count says.
      for (const object of handled.keys()) markOf(object);
    } catch (error) {
      if (error instanceof Unmarked) throw unmarkedRefusal(error);
      throw error;
    }
    serializer.writeValue(substituted);
  }
  return { body: serializer.releaseBuffer(), table: serializer.table };
}

export function encodeV8(
  value: unknown,
  findings: Findings | undefined,
  fits: (bodyBytes: number, segmentBytes: readonly number[]) => void,
): EncodedV8 {
  const handled = findings?.handled;
  const inJs =
    handled === undefined || handled.size === 0 ? writeInJs(value, findings?.outOfBand) : undefined;
  const { body, table } = inJs ?? writeByV8(value, findings);
  // Only once everything serialized, fits and may be taken: a failure must leave the caller's buffers as they were.
  const { segments } = table;
  for (const [i, s] of segments.entries()) if (s.transfer) checkTakeable(s.source, s.covered, `segment ${i}`);
  fits(
    body.length,
    segments.map((s) => s.end - s.start),
  );
  const chunks: Uint8Array[] = [];
  let borrowed: Set<ArrayBufferLike> | undefined;
  for (const s of segments) {
    const bytes = s.transfer
      ? new Uint8Array(takeMemory(s.source))
      : Buffer.from(s.source, s.start, s.end - s.start);
    chunks.push(bytes);
    if (!s.transfer) {
      borrowed ??= new Set();
      borrowed.add(s.source);
    }
  }
  return { body, chunks, borrowed, vouched: inJs?.vouched === true };
}

/**
 * A transfer handler could not rebuild a value of a message that is otherwise whole (`value`, with an empty object
 * where that value was): the receiver answers for the message instead of acting on it. `retry`, when the handler was
 * missing, rebuilds what was left in `value`, in place, once it may be registered (throws SerializationError if not).
 */
export class HandlerFailure extends Error {
  constructor(
    readonly value: unknown,
    readonly failure: SerializationError,
    readonly retry: (() => void) | undefined,
  ) {
    super(failure.message);
  }
}

/** `value`, once the message it ends took the whole body: bytes after it are not a message's (JSON refuses them too). */
function wholeBody(value: unknown, deserializer: V8.Deserializer, body: Buffer): unknown {
  const left = body.byteOffset + body.length - deserializer.readRawBytes(0).byteOffset;
  if (left !== 0) throw new RangeError(`${left} bytes after the message`);
  return value;
}

/** The segments that are whole ArrayBuffers (see FrameDecoder), handed to a reader as V8 values sent out of band. */
function transferSegments(
  reader: { transferArrayBuffer(id: number, buffer: ArrayBuffer): void },
  segments: readonly Buffer[],
): void {
  for (const [index, segment] of segments.entries()) {
    if (segment.byteOffset === 0 && segment.byteLength === segment.buffer.byteLength) {
      reader.transferArrayBuffer(index, segment.buffer as ArrayBuffer);
    }
  }
}

/**
 * The message in `body` as V8Reader reads it, or undefined when it gave up or the body holds handled values (their
 * rebuilding runs transfer handlers, which a second reading by V8 would run again).
 */
export function readInJs(body: Buffer, segments: readonly Buffer[]): { value: unknown } | undefined {
  const reader = new V8Reader(body, (source) => readHostObject(source, segments, []));
  let value: unknown;
  try {
    reader.readHeader();
    transferSegments(reader, segments);
    if (reader.readUint32() !== 0) return undefined;
    value = reader.readValue();
  } catch {
    // Whatever stopped it, V8's reader reads the body again and has the last word.
    if (reader.metWide) wideBodyBytes = body.length;
    return undefined;
  }
  if (reader.offset !== body.length) return undefined;
  wideBodyBytes = -1;
  return { value };
}

/**
 * The length of the last body V8Reader gave up on for a wide object: the next of about that length (the same call or
 * answer again, most likely) goes to V8's reader at once, but for one in `wideRetryEvery`, in case it changed.
 */
let wideBodyBytes = -1;
let wideSkipped = 0;
const wideRetryEvery = 16;

export function likelyWide(body: Buffer): boolean {
  if (wideBodyBytes < 0 || Math.abs(body.length - wideBodyBytes) > body.length >>> 4) return false;
  return ++wideSkipped % wideRetryEvery !== 0;
}

export function decodeV8(body: Buffer, segments: readonly Buffer[]): unknown {
  const read = likelyWide(body) ? undefined : readInJs(body, segments);
  return read === undefined ? readByV8(body, segments) : read.value;
}

/** The message in `body` as V8's deserializer reads it, its handled values rebuilt; throws on malformed bytes. */
export function readByV8(body: Buffer, segments: readonly Buffer[]): unknown {
  const deserializer = new (codec().SegmentDeserializer)(body, segments);
  deserializer.readHeader();
  transferSegments(deserializer, segments);
  const count = deserializer.readUint32();
  // Most messages hold no handled value: nothing to rebuild.
  if (count === 0) return wholeBody(deserializer.readValue(), deserializer, body);
  // Filled as the payloads are read: a payload refers only to those before it (see encodeV8).
  const handled: object[] = [];
  deserializer.handled = handled;
  const rebuild = new HandledRebuild();
  for (let i = 0; i < count; i++) {
    const entry = deserializer.readValue() as [unknown, unknown];
    if (!Array.isArray(entry) || typeof entry[0] !== 'string')
      throw new RangeError('Malformed handled payload');
    handled.push(rebuild.take(entry[0], entry[1]));
  }
  const value = wholeBody(deserializer.readValue(), deserializer, body);
  const { failure } = rebuild;
  if (failure === undefined) return rebuild.finish(value);
  const retry = rebuild.retriable ? () => void rebuild.retry(value) : undefined;
  throw new HandlerFailure(value, located(failure, rebuild.failedAt(value)), retry);
}

/** `failure` (whose path is the handler's name) with the path in the message to the value it could not rebuild. */
function located(failure: SerializationError, steps: readonly string[] | undefined): SerializationError {
  if (steps === undefined) return failure;
  const path = messagePath(steps);
  const named = `${failure.path}: `;
  const reason = failure.message.startsWith(named) ? failure.message.slice(named.length) : failure.message;
  return new SerializationError(
    `${path}: ${reason}`,
    path,
    'cause' in failure ? { cause: failure.cause } : {},
  );
}
