// Messages over a byte channel: a codec chosen per frame, the frames of one tick written together, sizes capped.
import type { ByteChannel } from './channel.js';
import { type CallSite, MessageTooLargeError, SerializationError } from './errors.js';
import {
  Codec,
  FrameDecoder,
  FrameError,
  type FrameHandler,
  frameContentBytes,
  frameHeader,
  frameHeaderBytes,
  jsonFrame,
  markTentative,
  maxSegments,
  Verdict,
  verdictFrame,
} from './frame.js';
import type { Findings } from './procxiable.js';
import { marksPending, releaseMarks } from './transfer.js';
import { decodeV8, encodeV8, HandlerFailure } from './v8-codec.js';

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

/**
 * The MessageTooLargeError to report for `error` when it is a send refused for its size (undefined otherwise);
 * `describe` says what was too large, given its bytes and the cap.
 */
export function tooLargeError(
  error: unknown,
  describe: (bytes: number, limit: number) => string,
  site?: CallSite,
): MessageTooLargeError | undefined {
  if (!(error instanceof TransportError && error.tooLarge)) return undefined;
  return new MessageTooLargeError(describe(error.bytes, error.limit), error.bytes, error.limit, site);
}

export interface TransportHandlers<In> {
  /** Checks the shape of a decoded value and returns it typed; throws TransportError when it is not a message. */
  parse(value: unknown): In;
  /**
   * A message; with `failure` when a transfer handler could not rebuild a value in it (an empty object stands there):
   * the receiver answers for it rather than act on it. `retry`, when that handler was not registered, rebuilds the
   * message in place once it may be (see HandlerFailure).
   */
  message(message: In, failure?: SerializationError, retry?: () => void): void;
  /** The peer broke the framing or sent something unparsable; nothing more will be delivered. */
  failure(error: TransportError): void;
  close(error?: Error): void;
  /** A received frame with binary segments of `bytes` in all was handed to `message` (or held for its verdict). */
  handedSegments?(bytes: number): void;
}

/**
 * V8 decodes binary values as views of its input: give a body its own memory unless it fills its chunk. Memory the
 * size of Node's Buffer pool is not worth a copy (a small copy would land in the pool again).
 */
function ownMemory(bytes: Buffer, start: number, end: number): Buffer {
  const body = bytes.subarray(start, end);
  return bytes.buffer.byteLength > Math.max(Buffer.poolSize, body.length * 2 + 4096)
    ? Buffer.from(body)
    : body;
}

/**
 * A message as JSON, or undefined when its text would be longer than a string can be (escaped control characters
 * take six each): V8 writes it instead, and reproduces it the same.
 */
function jsonText(message: unknown): string | undefined {
  try {
    return JSON.stringify(message);
  } catch (error) {
    if (error instanceof RangeError && /string length/i.test(error.message)) return undefined;
    throw error;
  }
}

/** An encoded message: its parts in order, their size, and the memory among them that is the caller's. */
interface Frame {
  readonly parts: Uint8Array[];
  readonly bytes: number;
  readonly borrowed: ReadonlySet<ArrayBufferLike> | undefined;
  /** The encoder vouched that the check of its value would pass and find nothing (EncodedV8.vouched). */
  readonly vouched?: boolean;
}

// Large enough to batch a busy tick, small enough that the peer starts before this side finishes producing.
const flushAtBytes = 8 * 1024;

/**
 * The frame size from which sendThenCheck sends before it checks: below it, checking the value costs less than the
 * verdict frame and the wait for it (about 500 entries of a JSON object make 16 KiB).
 */
const tentativeFromBytes = 16 * 1024;

/**
 * Whether an inspection found objects the encoder must replace (Errors inside the value, values a transfer handler
 * takes). Binary values found large travel inside the body all the same.
 */
function needsFindings(findings: Findings | undefined): findings is Findings {
  return findings !== undefined && findings.handled.size > 0;
}

/**
 * The large messages checked before they are sent after one was sent again with what its check found: each would
 * otherwise be encoded and decoded twice. One whose check finds nothing counts down.
 */
const checkFirstAfterResend = 8;

export class Transport<Out, In> {
  readonly #channel: ByteChannel;
  #maxMessageBytes: number;
  readonly #handlers: TransportHandlers<In>;
  #queue: Uint8Array[] = [];
  /** The memory of queued chunks that is the caller's (see ByteChannel.write). */
  #borrowed: Set<ArrayBufferLike> | undefined;
  /**
   * Frames sent while the check of a tentative message runs (a getter it reads may send): they must follow the
   * verdict, which the peer expects next.
   */
  #parked: Frame[] | undefined;
  #queuedBytes = 0;
  #submitted = 0;
  #flushScheduled = false;
  #failed = false;
  /** A tentative message waiting for its verdict (the next frame). */
  #held:
    | {
        readonly message: In;
        readonly failure: SerializationError | undefined;
        readonly retry: (() => void) | undefined;
      }
    | { readonly malformed: TransportError }
    | undefined;
  /** How many more large messages are checked before they are sent, since one had to go again (sendThenCheck). */
  #checkFirst = 0;
  readonly #decoder: FrameDecoder;
  readonly #flush = () => this.flush();

  constructor(channel: ByteChannel, maxMessageBytes: number, handlers: TransportHandlers<In>) {
    this.#channel = channel;
    this.#maxMessageBytes = maxMessageBytes;
    this.#handlers = handlers;
    const decoder = new FrameDecoder(
      () => this.#maxMessageBytes,
      this.#receive,
      handlers.handedSegments?.bind(handlers),
    );
    this.#decoder = decoder;
    const guarded = (feed: () => void) => {
      if (this.#failed) return;
      try {
        feed();
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        this.#fail(new TransportError(error.message, error.tooLarge, error.bytes, this.#maxMessageBytes));
      }
    };
    const commit = (into: Buffer, bytes: number) => guarded(() => decoder.commit(into, bytes));
    if (channel.readInto !== undefined) channel.readInto(() => decoder.readTarget(), commit);
    else channel.onData((chunk) => guarded(() => decoder.push(chunk)));
    // The rest of a large frame, and the verdict on a held message: the peer sent it while this side decoded, so
    // it is usually there already, and reading it now saves a turn of the event loop before the message is handled.
    channel.drainInto?.(() => {
      if (this.#failed) return undefined;
      return decoder.directTarget() ?? (this.#held !== undefined ? decoder.readTarget() : undefined);
    }, commit);
    channel.onClose((error) => handlers.close(error));
  }

  /**
   * Encodes and queues a message; `jsonSafe` says JSON reproduces it exactly, otherwise V8 is used, with binary
   * values that are large or marked for transfer sent as raw segments and the `findings` of its inspection applied.
   * Returns the encoded size; throws TransportError (tooLarge) when it exceeds the cap, having queued nothing.
   */
  send(message: Out, jsonSafe: boolean, findings?: Findings): number {
    const frame = this.#encode(message, jsonSafe, findings);
    this.#submit(frame);
    // A mark is for one message: one whose value was sent without the buffer (not among its data) is dropped too,
    // or a later message holding the buffer would move it unasked.
    if (marksPending()) releaseMarks(message);
    return frame.bytes;
  }

  /**
   * Sends a message whose value was not inspected yet and runs `check` (the inspection that throws when the value
   * cannot cross). A frame of `tentativeFromBytes` or more goes out at once, marked tentative, so that its value is
   * checked while the peer decodes it; the peer delivers it only on the confirming verdict queued when `check`
   * returns, and when `check` throws, the verdict retracts the message and the error is rethrown. A smaller frame
   * is checked first and sent as usual (a verdict would cost more than the check). Nothing is sent when encoding
   * fails or the message is too large (the error of `check` comes first, if it has one). JSON or V8 (with nothing
   * found ahead: no transfer marks, no handled values) as `json` says. `check` hears whether the message is encoded
   * already (so, for V8, that V8 wrote the whole value). It returns what it found: when that holds objects to
   * replace (an Error inside the value), the message is retracted and sent again with them, and the next large
   * messages are checked before they are encoded (checkFirstAfterResend). Where the check is advanced mode's
   * (`advanced`), a frame V8Writer vouched for (plain data only, see V8Writer.vouched) goes as usual without it; json
   * mode's refuses much that V8 writes (a message with an undefined argument goes as V8 there too).
   */
  sendThenCheck(
    message: Out,
    json: boolean,
    check: (encoded: boolean) => Findings | undefined,
    advanced: boolean,
  ): number {
    if (this.#checkFirst > 0) {
      // A recent one had to go again: its kind (a batch of results with a few Errors) tends to come back.
      const findings = check(false);
      if (needsFindings(findings)) {
        this.#checkFirst = checkFirstAfterResend;
        return this.send(message, false, findings);
      }
      this.#checkFirst--;
      return this.send(message, json);
    }
    let frame: Frame;
    try {
      frame = this.#encode(message, json, undefined);
    } catch (error) {
      check(false);
      throw error;
    }
    // Written by V8Writer, which met nothing the check could refuse or find: no check, no verdict.
    if (advanced && frame.vouched === true) {
      this.#submit(frame);
      return frame.bytes;
    }
    // Inside the check of another tentative message, nothing may go before its verdict: check first here too.
    if (frame.bytes < tentativeFromBytes || this.#parked !== undefined) {
      const findings = check(true);
      if (needsFindings(findings)) {
        this.#checkFirst = checkFirstAfterResend;
        return this.send(message, false, findings);
      }
      this.#submit(frame);
      return frame.bytes;
    }
    markTentative(frame.parts[0]!);
    this.#enqueue(frame);
    this.flush();
    this.#parked = [];
    let verdict = Verdict.Retract;
    let findings: Findings | undefined;
    try {
      findings = check(true);
      if (!needsFindings(findings)) verdict = Verdict.Confirm;
    } finally {
      const parked = this.#parked;
      this.#parked = undefined;
      // At once: the peer may have decoded the message already and be waiting for this.
      this.#enqueue({ parts: [verdictFrame(verdict)], bytes: frameHeaderBytes, borrowed: undefined });
      for (const later of parked) this.#enqueue(later);
      this.flush();
    }
    if (verdict === Verdict.Confirm) return frame.bytes;
    // The check found what the encoding had to know of (an Error inside the value): retracted, it goes again.
    this.#checkFirst = checkFirstAfterResend;
    return this.send(message, false, findings);
  }

  /** The frame of a message; throws TransportError (tooLarge) when it exceeds the cap. */
  #encode(message: Out, json: boolean, findings: Findings | undefined): Frame {
    const text = json ? jsonText(message) : undefined;
    if (text !== undefined) {
      const frame = jsonFrame(text);
      this.#checkSize(frame.length - frameHeaderBytes);
      return { parts: [frame], bytes: frame.length, borrowed: undefined };
    }
    // Checked before any memory is taken for transfer, so that a message too large leaves it where it was.
    let content = 0;
    const { body, chunks, borrowed, vouched } = encodeV8(message, findings, (bodyBytes, segmentBytes) => {
      if (segmentBytes.length > maxSegments) {
        throw new SerializationError(
          `${segmentBytes.length} binary values would travel beside the message (buffers marked for transfer, and views of 64 KiB or more), over the ${maxSegments} one message carries: send fewer, or join them into one`,
          '',
        );
      }
      content = frameContentBytes(bodyBytes, segmentBytes);
      this.#checkSize(content);
    });
    const header = frameHeader(
      Codec.V8,
      body.length,
      chunks.map((chunk) => chunk.length),
    );
    return { parts: [header, body, ...chunks], bytes: frameHeaderBytes + content, borrowed, vouched };
  }

  /**
   * Queues a frame to go with this tick's others, or parks it while a tentative message is being checked. Borrowed
   * memory is written or copied before the send returns: a frame that holds some carries a segment (64 KiB or
   * more), so it goes at once, or its copy is parked.
   */
  #submit(frame: Frame): void {
    if (this.#parked !== undefined) {
      const { borrowed } = frame;
      // Rare (a getter of a checked value that calls or emits): a plain copy, held until the verdict is queued.
      const parts = frame.parts.map((part) => (borrowed?.has(part.buffer) ? Buffer.from(part) : part));
      this.#parked.push({ parts, bytes: frame.bytes, borrowed: undefined });
      return;
    }
    this.#enqueue(frame);
    // A full batch goes now, so the peer starts on it while this side is still producing.
    if (this.#queuedBytes >= flushAtBytes) {
      this.flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  #enqueue(frame: Frame): void {
    this.#queue.push(...frame.parts);
    this.#queuedBytes += frame.bytes;
    this.#submitted += frame.bytes;
    if (frame.borrowed === undefined) return;
    this.#borrowed ??= new Set();
    for (const memory of frame.borrowed) this.#borrowed.add(memory);
  }

  /** Bytes of all the frames queued so far: where in the stream the last one ends. */
  get submitted(): number {
    return this.#submitted;
  }

  /** Bytes of the frames queued so far that have reached the peer's side (the kernel): the rest is held here. */
  handed(): number {
    return this.#submitted - this.#queuedBytes - (this.#channel.unwritten?.() ?? 0);
  }

  /**
   * Hands over nothing more that arrives (the peer broke the protocol, and what it sends next is not acted on, or it
   * is gone), and drops what arrived of an unfinished frame.
   */
  stop(): void {
    this.#failed = true;
    // A frame cut off half way would otherwise hold its memory (up to the cap) as long as the transport lives.
    this.#decoder.discard();
    this.#held = undefined;
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
    const borrowed = this.#borrowed;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#borrowed = undefined;
    this.#channel.write(queue, bytes, borrowed);
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

  readonly #receive: FrameHandler = (kind, bytes, start, end, segments, tentative) => {
    if (this.#failed) return;
    const held = this.#held;
    this.#held = undefined;
    if (kind === Verdict.Confirm || kind === Verdict.Retract) {
      if (held === undefined)
        return this.#fail(new TransportError('A verdict frame without a tentative one'));
      if (kind === Verdict.Retract) return;
      if ('malformed' in held) return this.#fail(held.malformed);
      this.#handlers.message(held.message, held.failure, held.retry);
      return;
    }
    if (held !== undefined) {
      return this.#fail(new TransportError('A frame where the verdict on a tentative one was due'));
    }
    const codec = kind;
    let message: In;
    let failure: SerializationError | undefined;
    let retry: (() => void) | undefined;
    try {
      let value: unknown;
      try {
        value =
          codec === Codec.Json
            ? JSON.parse(bytes.toString('utf8', start, end))
            : decodeV8(
                segments.length > 0 ? bytes.subarray(start, end) : ownMemory(bytes, start, end),
                segments,
              );
      } catch (error) {
        if (!(error instanceof HandlerFailure)) throw error;
        value = error.value;
        failure = error.failure;
        retry = error.retry;
      }
      message = this.#handlers.parse(value);
    } catch (error) {
      const malformed =
        error instanceof TransportError
          ? error
          : new TransportError(
              `Malformed ${codec === Codec.Json ? 'JSON' : 'V8'} frame: ${(error as Error).message}`,
            );
      // A tentative message may be one its sender's check refuses (a value V8 writes but cannot read back, as an
      // Error whose cause chain loops): its verdict decides.
      if (tentative) this.#held = { malformed };
      else this.#fail(malformed);
      return;
    }
    if (tentative) this.#held = { message, failure, retry };
    else this.#handlers.message(message, failure, retry);
  };

  #fail(error: TransportError): void {
    this.#failed = true;
    this.#handlers.failure(error);
  }
}
