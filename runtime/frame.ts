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

export type FrameHandler = (codec: Codec, body: Buffer) => void;

export class FrameDecoder {
  readonly #maxBodyBytes: () => number;
  readonly #onFrame: FrameHandler;
  #chunks: Buffer[] = [];
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
      const head = this.#peekHeader();
      const length = head.readUInt32LE(0);
      if (length === 0) throw new FrameError('Malformed frame: zero length', false, 0);
      const bodyBytes = length - 1;
      const max = this.#maxBodyBytes();
      if (bodyBytes > max) {
        throw new FrameError(`Frame of ${bodyBytes} bytes exceeds maxMessageBytes (${max})`, true, bodyBytes);
      }
      const codec = head[4];
      if (codec !== Codec.Json && codec !== Codec.V8) {
        throw new FrameError(`Malformed frame: unknown codec ${codec}`, false, bodyBytes);
      }
      if (this.#buffered < frameHeaderBytes + bodyBytes) return;
      const frame = this.#take(frameHeaderBytes + bodyBytes);
      this.#onFrame(codec, frame.subarray(frameHeaderBytes));
    }
  }

  #peekHeader(): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= frameHeaderBytes) return first;
    return Buffer.concat(this.#chunks, this.#buffered).subarray(0, frameHeaderBytes);
  }

  /** Removes `bytes` from the front of the buffered chunks without copying when they sit in one chunk. */
  #take(bytes: number): Buffer {
    const first = this.#chunks[0]!;
    this.#buffered -= bytes;
    if (first.length === bytes) {
      this.#chunks.shift();
      return first;
    }
    if (first.length > bytes) {
      this.#chunks[0] = first.subarray(bytes);
      return first.subarray(0, bytes);
    }
    const out = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const chunk = this.#chunks[0]!;
      const need = bytes - filled;
      if (chunk.length <= need) {
        chunk.copy(out, filled);
        filled += chunk.length;
        this.#chunks.shift();
      } else {
        chunk.copy(out, filled, 0, need);
        this.#chunks[0] = chunk.subarray(need);
        filled = bytes;
      }
    }
    return out;
  }
}
