// A hand-made parent for the no-build child: writes frames the real parent never would, and reads the answers raw.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { deserialize, Serializer } from 'node:v8';

const childMain = fileURLToPath(new URL('../../../dist/runtime/child/main.js', import.meta.url));

/** Frame layout of runtime/frame.ts, restated here so the test does not trust the code under test. */
const json = 1;
const v8 = 2;

export type RawMessage = Record<string, unknown>;

/**
 * A V8 body as runtime/v8-codec.ts writes one: the V8 header, the number of transfer-handler payloads (none here),
 * then the value. A plain deserializer reads that zero as V8 padding, so answers decode with `deserialize`.
 */
function v8Body(message: RawMessage): Buffer {
  const serializer = new Serializer();
  serializer.writeHeader();
  serializer.writeUint32(0);
  serializer.writeValue(message);
  return serializer.releaseBuffer();
}

export class RawChild {
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #codec: number;
  readonly #input: Writable;
  readonly #received: RawMessage[] = [];
  #wake: (() => void) | undefined;
  #buffer = Buffer.alloc(0);
  #stderr = '';

  /** `mode` picks the codec of the frames this parent writes; the child may answer in either. */
  constructor(mode: 'json' | 'advanced') {
    this.#codec = mode === 'json' ? json : v8;
    this.process = spawn(process.execPath, [childMain], {
      stdio: ['ignore', 'inherit', 'pipe', 'pipe', 'pipe'],
    });
    this.#input = this.process.stdio[3] as Writable;
    this.#input.on('error', () => {});
    (this.process.stdio[4] as Readable).on('data', (chunk: Buffer) => this.#read(chunk));
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString('utf8');
    });
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        resolve({ code, signal });
        this.#wake?.();
      });
    });
  }

  get stderr(): string {
    return this.#stderr;
  }

  send(message: RawMessage): void {
    this.sendBody(this.#codec, this.#codec === json ? Buffer.from(JSON.stringify(message)) : v8Body(message));
  }

  sendBody(codec: number, body: Buffer): void {
    const header = Buffer.alloc(5);
    header.writeUInt32LE(body.length + 1, 0);
    header[4] = codec;
    this.#input.write(Buffer.concat([header, body]));
  }

  /** The next message from the child; rejects if the child exits first or nothing comes within `limitMs`. */
  async next(limitMs = 10_000): Promise<RawMessage> {
    const deadline = Date.now() + limitMs;
    while (this.#received.length === 0) {
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(
          `The child exited (${this.process.exitCode ?? this.process.signalCode}): ${this.#stderr}`,
        );
      }
      if (Date.now() > deadline) throw new Error(`No message from the child within ${limitMs} ms`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.#received.shift()!;
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }

  #read(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 5) {
      const length = this.#buffer.readUInt32LE(0);
      if (this.#buffer.length < 4 + length) break;
      const codec = this.#buffer[4];
      const body = this.#buffer.subarray(5, 4 + length);
      this.#buffer = this.#buffer.subarray(4 + length);
      this.#received.push(
        (codec === json ? JSON.parse(body.toString('utf8')) : deserialize(Buffer.from(body))) as RawMessage,
      );
    }
    this.#wake?.();
  }
}
