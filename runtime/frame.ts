// Length-prefixed frames: how messages are cut out of a byte stream, defensively.
/*
 * A frame is `u32le length | u8 codec | body`, where `length` counts the codec byte and the body. The decoder never
 * trusts the peer: a length of zero, a length over the cap or an unknown codec is a FrameError, and the bytes of a
 * frame are only sliced out once all of them have arrived, so a slow or hostile writer costs memory bounded by the cap.
 */

export enum Codec {
  Json = 1,
  V8 = 2,
}

export const frameHeaderBytes = 5;

export class FrameError extends Error {
  /** True when the frame was refused for its size rather than for being malformed. */
  readonly tooLarge: boolean;
  readonly bytes: number;
  constructor(message: string, tooLarge: boolean, bytes: number) {
    super(message);
    this.tooLarge = tooLarge;
    this.bytes = bytes;
  }
}

export function frameHeader(codec: Codec, bodyBytes: number): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderBytes);
  header.writeUInt32LE(bodyBytes + 1, 0);
  header[4] = codec;
  return header;
}

/** A whole frame in one buffer, for small JSON bodies: one allocation, one write. */
export function jsonFrame(json: string): Buffer {
  const bodyBytes = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(frameHeaderBytes + bodyBytes);
  frame.writeUInt32LE(bodyBytes + 1, 0);
  frame[4] = Codec.Json;
  frame.write(json, frameHeaderBytes);
  return frame;
}

/** A complete frame's body: `bytes[start, end)`. `bytes` may hold other frames too; copy what you keep. */
export type FrameHandler = (codec: Codec, bytes: Buffer, start: number, end: number) => void;

export class FrameDecoder {
  readonly #maxBodyBytes: () => number;
  readonly #onFrame: FrameHandler;
  /** Unconsumed input: the first chunk from `#offset` on, then the others whole. */
  #chunks: Buffer[] = [];
  #offset = 0;
  #buffered = 0;
  #failed = false;

  constructor(maxBodyBytes: () => number, onFrame: FrameHandler) {
    this.#maxBodyBytes = maxBodyBytes;
    this.#onFrame = onFrame;
  }

  /** Feeds bytes; calls the handler once per complete frame. Throws FrameError, after which it refuses all input. */
  push(chunk: Buffer): void {
    if (this.#failed) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    try {
      this.#drain();
    } catch (error) {
      this.#failed = true;
      this.#chunks = [];
      this.#buffered = 0;
      throw error;
    }
  }

  #drain(): void {
    while (this.#buffered >= frameHeaderBytes) {
      if (this.#chunks[0]!.length - this.#offset < frameHeaderBytes) this.#merge(frameHeaderBytes);
      const first = this.#chunks[0]!;
      const at = this.#offset;
      const length = first.readUInt32LE(at);
      if (length === 0) throw new FrameError('Malformed frame: zero length', false, 0);
      const bodyBytes = length - 1;
      const max = this.#maxBodyBytes();
      if (bodyBytes > max) {
        throw new FrameError(`Frame of ${bodyBytes} bytes exceeds maxMessageBytes (${max})`, true, bodyBytes);
      }
      const codec = first[at + 4];
      if (codec !== Codec.Json && codec !== Codec.V8) {
        throw new FrameError(`Malformed frame: unknown codec ${codec}`, false, bodyBytes);
      }
      const frameBytes = frameHeaderBytes + bodyBytes;
      if (this.#buffered < frameBytes) return;
      if (first.length - at < frameBytes) this.#merge(frameBytes);
      const bytes = this.#chunks[0]!;
      const start = this.#offset + frameHeaderBytes;
      this.#consume(frameBytes);
      this.#onFrame(codec, bytes, start, start + bodyBytes);
    }
  }

  #consume(bytes: number): void {
    this.#buffered -= bytes;
    this.#offset += bytes;
    if (this.#offset === this.#chunks[0]!.length) {
      this.#chunks.shift();
      this.#offset = 0;
    }
  }

  /** Copies the first `bytes` unconsumed bytes into one chunk at the front (a frame cut across reads). */
  #merge(bytes: number): void {
    const merged = Buffer.allocUnsafe(Math.max(bytes, 0));
    let filled = 0;
    let rest: Buffer | undefined;
    while (filled < bytes) {
      const chunk = this.#chunks.shift()!;
      const from = this.#offset;
      this.#offset = 0;
      const take = Math.min(chunk.length - from, bytes - filled);
      chunk.copy(merged, filled, from, from + take);
      filled += take;
      if (from + take < chunk.length) rest = chunk.subarray(from + take);
    }
    if (rest !== undefined) this.#chunks.unshift(rest);
    this.#chunks.unshift(merged);
  }
}
