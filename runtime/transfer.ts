// transfer(value, buffers): marks ArrayBuffers to be moved, not copied, by the next message that contains them.
import { SerializationError } from './errors.js';

const marked = new WeakSet<ArrayBufferLike>();
/** How many buffers are marked (a mark dropped with its buffer stops counting when the buffer is collected). */
let marks = 0;
const forgotten = new FinalizationRegistry<void>(() => {
  marks--;
});

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
    if (!(buffer instanceof ArrayBuffer)) {
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
  return value;
}

export function isMarked(buffer: ArrayBufferLike): boolean {
  return marked.has(buffer);
}

/** Whether any buffer is marked: only then can a value hold one (and need inspecting before it is encoded). */
export function marksPending(): boolean {
  return marks > 0;
}

/**
 * Takes the memory out of a marked buffer (leaving it detached) for sending; the mark is used up.
 * Node's shared Buffer pool is refused: detaching it would empty every small Buffer of the process.
 */
export function takeMemory(buffer: ArrayBuffer, coveredByView: boolean, path: string): ArrayBuffer {
  if (marked.delete(buffer)) {
    marks--;
    forgotten.unregister(buffer);
  }
  if (buffer.byteLength === Buffer.poolSize && !coveredByView) {
    throw new SerializationError(
      `${path}: cannot transfer the memory of a pooled Buffer, which other Buffers share; allocate it with Buffer.alloc() or new Uint8Array()`,
      path,
    );
  }
  return structuredClone(buffer, { transfer: [buffer] });
}
