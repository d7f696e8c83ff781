// Messages over a byte channel: a codec chosen per frame, the frames of one tick written together, sizes capped.
import type { ByteChannel } from './channel.js';
import { Codec, FrameDecoder, FrameError, frameHeader, frameHeaderBytes, jsonFrame } from './frame.js';
import type { Findings } from './procxiable.js';
import { decodeV8, encodeV8 } from './v8-codec.js';

/** A received frame's bytes could not be turned into a message, or were too many. */
export class TransportError extends Error {
  readonly tooLarge: boolean;
  readonly bytes: number;
  readonly limit: number;
  constructor(message: string, tooLarge = false, bytes = 0, limit = 0) {
    super(message);
    this.tooLarge = tooLarge;
    this.bytes = bytes;
    this.limit = limit;
  }
}

export interface TransportHandlers<In> {
  /** Checks the shape of a decoded value and returns it typed; throws TransportError when it is not a message. */
  parse(value: unknown): In;
  message(message: In): void;
  /** The peer broke the framing or sent something unparsable; nothing more will be delivered. */
  failure(error: TransportError): void;
  close(error?: Error): void;
}

/** V8 decodes binary values as views of its input: give a body its own memory unless it fills its chunk. */
function ownMemory(bytes: Buffer, start: number, end: number): Buffer {
  const body = bytes.subarray(start, end);
  return bytes.buffer.byteLength > body.length * 2 + 4096 ? Buffer.from(body) : body;
}

// Large enough to batch a busy tick, small enough that the peer starts before this side finishes producing.
const flushAtBytes = 8 * 1024;

export class Transport<Out, In> {
  readonly #channel: ByteChannel;
  #maxMessageBytes: number;
  readonly #handlers: TransportHandlers<In>;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  #failed = false;
  readonly #flush = () => this.flush();

  constructor(channel: ByteChannel, maxMessageBytes: number, handlers: TransportHandlers<In>) {
    this.#channel = channel;
    this.#maxMessageBytes = maxMessageBytes;
    this.#handlers = handlers;
    const decoder = new FrameDecoder(
      () => this.#maxMessageBytes,
      (codec, bytes, start, end, segments) => this.#receive(codec, bytes, start, end, segments),
    );
    const guarded = (feed: () => void) => {
      if (this.#failed) return;
      try {
        feed();
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        this.#fail(new TransportError(error.message, error.tooLarge, error.bytes, this.#maxMessageBytes));
      }
    };
    if (channel.readInto !== undefined) {
      channel.readInto(
        () => decoder.readTarget(),
        (into, bytes) => guarded(() => decoder.commit(into, bytes)),
      );
    } else {
      channel.onData((chunk) => guarded(() => decoder.push(chunk)));
    }
    channel.onClose((error) => handlers.close(error));
  }

  /**
   * Encodes and queues a message; `jsonSafe` says JSON reproduces it exactly, otherwise V8 is used, with binary
   * values that are large or marked for transfer sent as raw segments and the `findings` of its inspection applied.
   * Returns the encoded size; throws TransportError (tooLarge) when it exceeds the cap, having queued nothing.
   */
  send(message: Out, jsonSafe: boolean, findings?: Findings): number {
    let bytes: number;
    if (jsonSafe) {
      const frame = jsonFrame(JSON.stringify(message));
      bytes = frame.length;
      this.#checkSize(bytes - frameHeaderBytes);
      this.#queue.push(frame);
    } else {
      const { body, segments } = encodeV8(message, findings, !this.#channel.synchronous);
      const lengths = segments.map((segment) => segment.byteLength);
      const header = frameHeader(Codec.V8, body.length, lengths);
      bytes = header.length + body.length + lengths.reduce((sum, n) => sum + n, 0);
      this.#checkSize(bytes - frameHeaderBytes);
      this.#queue.push(header, body, ...segments);
    }
    this.#queuedBytes += bytes;
    // A full batch goes now, so the peer starts on it while this side is still producing.
    if (this.#queuedBytes >= flushAtBytes) {
      this.flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
    return bytes;
  }

  /** Changes the cap on both directions (the child learns it from the parent's first message). */
  setLimit(maxMessageBytes: number): void {
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Writes everything queued now (the child calls this before it exits). */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#queue.length === 0) return;
    const queue = this.#queue;
    const bytes = this.#queuedBytes;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#channel.write(queue, bytes);
  }

  close(): void {
    this.flush();
    this.#channel.close();
  }

  #checkSize(bytes: number): void {
    if (bytes > this.#maxMessageBytes) {
      throw new TransportError(
        `Message of ${bytes} bytes exceeds maxMessageBytes (${this.#maxMessageBytes})`,
        true,
        bytes,
        this.#maxMessageBytes,
      );
    }
  }

  #receive(codec: Codec, bytes: Buffer, start: number, end: number, segments: readonly Buffer[]): void {
    if (this.#failed) return;
    let message: In;
    try {
      const value: unknown =
        codec === Codec.Json
          ? JSON.parse(bytes.toString('utf8', start, end))
          : decodeV8(
              segments.length > 0 ? bytes.subarray(start, end) : ownMemory(bytes, start, end),
              segments,
            );
      message = this.#handlers.parse(value);
    } catch (error) {
      this.#fail(
        error instanceof TransportError
          ? error
          : new TransportError(
              `Malformed ${codec === Codec.Json ? 'JSON' : 'V8'} frame: ${(error as Error).message}`,
            ),
      );
      return;
    }
    this.#handlers.message(message);
  }

  #fail(error: TransportError): void {
    this.#failed = true;
    this.#handlers.failure(error);
  }
}
