// transfer(value, buffers): marks ArrayBuffers to be moved, not copied, by the next message that contains them.
import { SerializationError } from './errors.js';

// Taken as builtins.ts does, not imported from it: this file stays out of the child's bundle (a worker's own import
// of procxy shares it), so builtins.ts would load twice.
const { types } = process.getBuiltinModule('node:util');

const marked = new WeakSet<ArrayBufferLike>();
/** How many buffers are marked (a mark dropped with its buffer stops counting when the buffer is collected). */
let marks = 0;
let moved = 0;
const forgotten = new FinalizationRegistry<void>(() => {
  marks--;
});

/** The buffers each value was given to transfer() with: a refusal unmarks them even where no data property leads. */
const markedWith = new WeakMap<object, readonly ArrayBuffer[]>();

/** Binary values at least this large travel as raw segments even when not marked for transfer. */
export const segmentThreshold = 64 * 1024;

/**
 * Marks `buffers` for transfer and returns `value`. The next call argument or return value that contains them (at
 * any depth) sends their memory as raw segments without copying it, and leaves them detached here
 * (`byteLength === 0`). The mark is used once.
 */
export function transfer<T>(value: T, buffers: readonly ArrayBufferLike[]): T {
  if (!Array.isArray(buffers)) {
    throw new SerializationError(
      'transfer(value, buffers): buffers must be an array of ArrayBuffers',
      'transfer',
    );
  }
  for (const [i, buffer] of buffers.entries()) {
    // Not instanceof: an ArrayBuffer made in another realm (node:vm) is one too, and the check takes it as one.
    if (!types.isArrayBuffer(buffer)) {
      throw new SerializationError(
        `transfer(value, buffers): buffers[${i}] is not an ArrayBuffer (pass view.buffer to transfer a view's memory)`,
        'transfer',
      );
    }
    if (marked.has(buffer)) continue;
    marked.add(buffer);
    marks++;
    forgotten.register(buffer, undefined, buffer);
  }
  if (typeof value === 'object' && value !== null) markedWith.set(value, buffers as readonly ArrayBuffer[]);
  return value;
}

export function isMarked(buffer: ArrayBufferLike): boolean {
  return marked.has(buffer);
}

/** Whether any buffer is marked: only then can a value hold one (and need inspecting before it is encoded). */
export function marksPending(): boolean {
  return marks > 0;
}

/** How many buffers gave their memory to a message so far: a call that moved some cannot be sent again. */
export function movedCount(): number {
  return moved;
}

function unmark(buffer: ArrayBufferLike): void {
  if (!marked.delete(buffer)) return;
  marks--;
  forgotten.unregister(buffer);
}

function builtinGetter(prototype: object, name: string): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(prototype, name)!.get!;
}

const viewFields = ['buffer', 'byteOffset', 'byteLength'];
const typedArrayGetters = viewFields.map((name) =>
  builtinGetter(Object.getPrototypeOf(Uint8Array.prototype) as object, name),
);
const dataViewGetters = viewFields.map((name) => builtinGetter(DataView.prototype, name));

/**
 * Where a view's bytes are, as the built-in getters say: a property of the view's own named `buffer` or `byteLength`
 * (non-enumerable, so the check does not see it), or a prototype put in between, must not make other bytes travel
 * nor run the user's code where procxy reads a view (the check, the encoder, dropping marks).
 */
export function viewMemory(view: ArrayBufferView): {
  buffer: ArrayBufferLike;
  byteOffset: number;
  byteLength: number;
} {
  const [buffer, byteOffset, byteLength] = types.isDataView(view) ? dataViewGetters : typedArrayGetters;
  return {
    buffer: buffer!.call(view) as ArrayBufferLike,
    byteOffset: byteOffset!.call(view) as number,
    byteLength: byteLength!.call(view) as number,
  };
}

/**
 * Drops the marks of the buffers in `value`, which was not sent: a mark is for that one message, and a later one
 * must not move a buffer its caller thinks was left alone. Reads only data properties (no getter or Proxy runs);
 * what a value was given to transfer() with is unmarked as well, behind a getter too.
 */
export function releaseMarks(value: unknown): void {
  if (marks === 0) return;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0 && marks > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null || seen.has(item) || types.isProxy(item)) continue;
    seen.add(item);
    for (const buffer of markedWith.get(item) ?? []) unmark(buffer);
    if (types.isAnyArrayBuffer(item)) unmark(item);
    else if (ArrayBuffer.isView(item)) unmark(viewMemory(item).buffer);
    else if (types.isMap(item))
      Map.prototype.forEach.call(item, (v: unknown, k: unknown) => stack.push(k, v));
    else if (types.isSet(item)) Set.prototype.forEach.call(item, (v: unknown) => stack.push(v));
    else for (const d of Object.values(Object.getOwnPropertyDescriptors(item))) stack.push(d.value);
  }
}

/**
 * Whether a marked buffer's memory can be taken: not when it looks like Node's shared Buffer pool (its size, seen
 * through a view that does not cover it), whose detaching would empty every small Buffer of the process.
 */
export function pooledRefusal(buffer: ArrayBufferLike, coveredByView: boolean): string | undefined {
  return buffer.byteLength === Buffer.poolSize && !coveredByView
    ? `cannot transfer the memory of a pooled Buffer, which other Buffers share (or of an ArrayBuffer of Buffer.poolSize bytes, ${Buffer.poolSize}, seen through a view that covers only part of it, which looks the same); allocate it with Buffer.alloc() or new Uint8Array(), or transfer it through a view of all of it`
    : undefined;
}

/** Throws SerializationError at `path` when pooledRefusal() refuses the buffer. */
export function checkTakeable(buffer: ArrayBuffer, coveredByView: boolean, path: string): void {
  const refusal = pooledRefusal(buffer, coveredByView);
  if (refusal !== undefined) throw new SerializationError(`${path}: ${refusal}`, path);
}

/** Takes the memory out of a marked buffer (leaving it detached) for sending; the mark is used up. */
export function takeMemory(buffer: ArrayBuffer): ArrayBuffer {
  unmark(buffer);
  moved++;
  return structuredClone(buffer, { transfer: [buffer] });
}
