// Length-prefixed frames with optional raw segments: how messages are cut out of a byte stream, defensively.
/*
 * A frame is `u32le length | u8 kind | [u32le n | u32le length × n] | body | segment × n`, where `length` counts
 * every byte after itself, the low bits of `kind` name the body's codec, its high bit says a segment table follows
 * and the bit below says the frame is tentative. Segments carry large or transferred binary data beside the body,
 * so the serializer never copies them. A tentative frame is sent before its value was checked (a large value is
 * checked while the peer decodes it); the receiver holds it until the next frame, a body-less verdict, confirms or
 * retracts it.
 * The decoder never trusts the peer: a zero or oversized length, an unknown codec or a segment table that does
 * not add up is a FrameError. Small frames inside one read are handed over in place; a larger one is copied once,
 * as it arrives, into memory of its own (each segment gets its own ArrayBuffer), so a slow or hostile writer costs
 * at most the cap.
 */

export enum Codec {
  Json = 1,
  V8 = 2,
}

/** The body-less frame after a tentative one: deliver it, or drop it. */
export enum Verdict {
  Confirm = 3,
  Retract = 4,
}

/**
 * The segments one frame may carry. Each arrives in an ArrayBuffer of its own, which costs the receiver far more than
 * the 4 bytes of its entry in the table: without a cap, a frame of empty segments would cost ~100 times its size.
 */
export const maxSegments = 65_536;

const hasSegments = 0x80;
const isTentative = 0x40;
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

/** The bytes of a frame after its length and kind: the segment table (when there are segments), body, segments. */
export function frameContentBytes(bodyBytes: number, segments: readonly number[]): number {
  let total = (segments.length === 0 ? 0 : 4 + 4 * segments.length) + bodyBytes;
  for (const length of segments) total += length;
  return total;
}

/** The bytes before a body: length, kind and, when there are segments, their table. */
export function frameHeader(codec: Codec, bodyBytes: number, segments: readonly number[] = []): Buffer {
  const table = segments.length === 0 ? 0 : 4 + 4 * segments.length;
  const header = Buffer.allocUnsafe(frameHeaderBytes + table);
  header.writeUInt32LE(1 + frameContentBytes(bodyBytes, segments), 0);
  header[4] = codec | (segments.length === 0 ? 0 : hasSegments);
  if (table > 0) {
    header.writeUInt32LE(segments.length, 5);
    for (const [i, length] of segments.entries()) header.writeUInt32LE(length, 9 + 4 * i);
  }
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

/** Marks a frame tentative, given its first bytes (a header, or a whole JSON frame); returns them. */
export function markTentative<B extends Uint8Array>(head: B): B {
  head[4]! |= isTentative;
  return head;
}

export function verdictFrame(verdict: Verdict): Buffer {
  const frame = Buffer.allocUnsafe(frameHeaderBytes);
  frame.writeUInt32LE(1, 0);
  frame[4] = verdict;
  return frame;
}

/**
 * A complete frame: its body is `bytes[start, end)` (`bytes` may hold other frames too: copy what you keep). A
 * verdict has an empty body.
 */
export type FrameHandler = (
  kind: Codec | Verdict,
  bytes: Buffer,
  start: number,
  end: number,
  segments: readonly Buffer[],
  tentative: boolean,
) => void;

/** A frame whose bytes are still arriving, copied piece by piece into its own memory. */
interface Filling {
  readonly codec: Codec;
  readonly tentative: boolean;
  readonly parts: Buffer[];
  part: number;
  filled: number;
}

const noSegments: readonly Buffer[] = [];

/**
 * The memory a frame's body and segments are read into, each segment in an ArrayBuffer of its own (what the receiver
 * keeps must not pin anything else). A peer may announce up to the cap: when the process has not that much memory,
 * the frame is refused as too large rather than the allocation's RangeError ending the process.
 */
function frameMemory(bodyBytes: number, segments: readonly number[], frameBytes: number): Buffer[] {
  try {
    return [Buffer.allocUnsafe(bodyBytes), ...segments.map((n) => Buffer.allocUnsafeSlow(n))];
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new FrameError(`No memory for a frame of ${frameBytes} bytes (${error.message})`, true, frameBytes);
  }
}

export class FrameDecoder {
  readonly #maxBodyBytes: () => number;
  readonly #onFrame: FrameHandler;
  /** Unconsumed input: the first chunk from `#offset` on, then the others whole. */
  #chunks: Buffer[] = [];
  #offset = 0;
  #buffered = 0;
  #filling: Filling | undefined;
  #scratch: Buffer | undefined;
  /** The part of a filling frame that the last readTarget() handed out. */
  #direct: Buffer | undefined;
  #failed = false;
  readonly #handedSegments: ((bytes: number) => void) | undefined;

  /** `handedSegments` hears of the bytes of a frame's segments once the frame was handled. */
  constructor(maxBodyBytes: () => number, onFrame: FrameHandler, handedSegments?: (bytes: number) => void) {
    this.#maxBodyBytes = maxBodyBytes;
    this.#onFrame = onFrame;
    this.#handedSegments = handedSegments;
  }

  /**
   * Where the next read should land: the unfilled rest of a large frame's current part (read into directly, so
   * its bytes are never copied), or a scratch buffer that commit() consumes before the next read reuses it.
   */
  readTarget(): Buffer {
    const direct = this.directTarget();
    if (direct !== undefined) return direct;
    this.#scratch ??= Buffer.allocUnsafeSlow(64 * 1024);
    return this.#scratch;
  }

  /** The unfilled rest of a large frame's current part, when nothing else is waiting to be consumed first. */
  directTarget(): Buffer | undefined {
    const f = this.#filling;
    this.#direct = undefined;
    if (f !== undefined && this.#buffered === 0) {
      const part = f.parts[f.part]!;
      if (f.filled < part.length) {
        this.#direct = part.subarray(f.filled);
        return this.#direct;
      }
    }
    return undefined;
  }

  /** `bytes` bytes were read into `target` (what readTarget() returned, or any buffer). Throws FrameError like push(). */
  commit(target: Buffer, bytes: number): void {
    if (this.#failed) return;
    if (target === this.#direct && this.#filling !== undefined) {
      this.#filling.filled += bytes;
      this.#guarded(() => this.#drain());
      return;
    }
    this.push(target.subarray(0, bytes));
    // The next read overwrites the scratch buffer: what is still waiting there needs memory of its own.
    for (let i = 0; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      if (chunk.buffer !== target.buffer) continue;
      this.#chunks[i] = Buffer.from(i === 0 ? chunk.subarray(this.#offset) : chunk);
      if (i === 0) this.#offset = 0;
    }
  }

  /** Feeds bytes; calls the handler once per complete frame. Throws FrameError, after which it refuses all input. */
  push(chunk: Buffer): void {
    if (this.#failed) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    this.#guarded(() => this.#drain());
  }

  #guarded(drain: () => void): void {
    try {
      drain();
    } catch (error) {
      this.#failed = true;
      this.#chunks = [];
      this.#buffered = 0;
      this.#filling = undefined;
      throw error;
    }
  }

  #drain(): void {
    for (;;) {
      if (this.#filling !== undefined && !this.#fill(this.#filling)) return;
      if (this.#buffered < frameHeaderBytes) return;
      if (!this.#next()) return;
    }
  }

  /** Reads the next frame's header; hands the frame over or starts filling it. False when more bytes are needed. */
  #next(): boolean {
    this.#gather(frameHeaderBytes);
    const first = this.#chunks[0]!;
    const at = this.#offset;
    const length = first.readUInt32LE(at);
    if (length === 0) throw new FrameError('Malformed frame: zero length', false, 0);
    const max = this.#maxBodyBytes();
    if (length - 1 > max) {
      throw new FrameError(`Frame of ${length - 1} bytes exceeds maxMessageBytes (${max})`, true, length - 1);
    }
    const kind = first[at + 4]!;
    const codec = kind & ~(hasSegments | isTentative);
    const tentative = (kind & isTentative) !== 0;
    if (codec === Verdict.Confirm || codec === Verdict.Retract) {
      if (kind !== codec || length !== 1)
        throw new FrameError('Malformed frame: a verdict with a body or flags', false, length - 1);
      this.#consume(frameHeaderBytes);
      this.#onFrame(codec, first, 0, 0, noSegments, false);
      return true;
    }
    if (codec !== Codec.Json && codec !== Codec.V8) {
      throw new FrameError(`Malformed frame: unknown codec ${codec}`, false, length - 1);
    }
    let segments: number[] = [];
    let headerBytes = frameHeaderBytes;
    if (kind & hasSegments) {
      if (this.#buffered < frameHeaderBytes + 4) return false;
      this.#gather(frameHeaderBytes + 4);
      const count = this.#chunks[0]!.readUInt32LE(this.#offset + 5);
      if (count === 0 || count > maxSegments || 4 + 4 * count > length - 1)
        throw new FrameError(`Malformed frame: bad segment count ${count}`, false, length - 1);
      headerBytes += 4 + 4 * count;
      if (this.#buffered < headerBytes) return false;
      this.#gather(headerBytes);
      const table = this.#chunks[0]!;
      segments = Array.from({ length: count }, (_, i) => table.readUInt32LE(this.#offset + 9 + 4 * i));
      // Only V8 bodies name segments: beside JSON they would be read and dropped unseen.
      if (codec === Codec.Json)
        throw new FrameError('Malformed frame: segments beside a JSON body', false, length - 1);
    }
    const bodyBytes = length + 4 - headerBytes - segments.reduce((sum, n) => sum + n, 0);
    if (bodyBytes < 0)
      throw new FrameError('Malformed frame: segments longer than the frame', false, length - 1);
    const frameBytes = 4 + length;
    const inPlace = this.#chunks[0]!.length - this.#offset >= frameBytes;
    if (inPlace && segments.length === 0) {
      const bytes = this.#chunks[0]!;
      const start = this.#offset + headerBytes;
      this.#consume(frameBytes);
      if (codec === Codec.V8 && bytes.buffer === this.#scratch?.buffer) {
        // V8 decodes binary values as views of its input, which the next read would overwrite.
        const body = Buffer.from(bytes.subarray(start, start + bodyBytes));
        this.#onFrame(codec, body, 0, body.length, noSegments, tentative);
      } else {
        this.#onFrame(codec, bytes, start, start + bodyBytes, noSegments, tentative);
      }
      return true;
    }
    this.#consume(headerBytes);
    this.#filling = {
      codec,
      tentative,
      parts: frameMemory(bodyBytes, segments, length - 1),
      part: 0,
      filled: 0,
    };
    return true;
  }

  /** Drops what arrived of an unfinished frame and refuses all further input: the link is over. */
  discard(): void {
    this.#failed = true;
    this.#chunks = [];
    this.#buffered = 0;
    this.#filling = undefined;
    this.#direct = undefined;
    this.#scratch = undefined;
  }

  /** Copies buffered input into the frame being filled; hands it over when complete. False when input ran out. */
  #fill(f: Filling): boolean {
    while (f.part < f.parts.length) {
      const target = f.parts[f.part]!;
      if (f.filled === target.length) {
        f.part++;
        f.filled = 0;
        continue;
      }
      if (this.#buffered === 0) return false;
      const chunk = this.#chunks[0]!;
      const take = Math.min(chunk.length - this.#offset, target.length - f.filled);
      chunk.copy(target, f.filled, this.#offset, this.#offset + take);
      f.filled += take;
      this.#consume(take);
    }
    this.#filling = undefined;
    const [body, ...segments] = f.parts;
    const handed = this.#handedSegments;
    // Counted first: the receiver may move a segment's memory on (transfer it back), which empties it here.
    const segmentBytes = handed === undefined ? 0 : segments.reduce((sum, part) => sum + part.length, 0);
    this.#onFrame(f.codec, body!, 0, body!.length, segments, f.tentative);
    if (segmentBytes > 0) handed!(segmentBytes);
    return true;
  }

  #consume(bytes: number): void {
    this.#buffered -= bytes;
    this.#offset += bytes;
    while (this.#chunks.length > 0 && this.#offset >= this.#chunks[0]!.length) {
      this.#offset -= this.#chunks[0]!.length;
      this.#chunks.shift();
    }
  }

  /** Makes the first `bytes` unconsumed bytes contiguous at the front (a header cut across reads). */
  #gather(bytes: number): void {
    if (this.#chunks[0]!.length - this.#offset >= bytes) return;
    const merged = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const chunk = this.#chunks[0]!;
      const take = Math.min(chunk.length - this.#offset, bytes - filled);
      chunk.copy(merged, filled, this.#offset, this.#offset + take);
      filled += take;
      this.#offset += take;
      if (this.#offset === chunk.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
    }
    if (this.#offset > 0) {
      this.#chunks[0] = this.#chunks[0]!.subarray(this.#offset);
      this.#offset = 0;
    }
    this.#chunks.unshift(merged);
  }
}
