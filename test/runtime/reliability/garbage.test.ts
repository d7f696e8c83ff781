// A child that breaks the framing or sends too much is terminated; its calls reject; the parent and others carry on.

import { readdirSync } from 'node:fs';
import { DefaultSerializer, Serializer } from 'node:v8';
import {
  ChildCrashedError,
  MessageTooLargeError,
  ModuleResolutionError,
  type Procxy,
  type ProcxyError,
  ProtocolError,
  procxy,
  SpawnError,
} from 'procxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '../fixtures/workers.mjs';
import { guardLeaks, modes, rejection, waitGone, workersModule } from './helpers.js';

const pids = new Set<number>();
guardLeaks(pids);

let bystander: Procxy<Worker, 'json'>;
beforeAll(async () => {
  bystander = await procxy(Worker, workersModule);
  pids.add(bystander.$pid);
});
afterAll(async () => {
  await bystander?.$terminate();
});

function frame(codec: number, body: Buffer | string): number[] {
  const bytes = Buffer.from(body);
  const header = Buffer.alloc(5);
  header.writeUInt32LE(bytes.length + 1, 0);
  header[4] = codec;
  return [...header, ...bytes];
}

/** A JSON frame whose segment table announces one segment of 2 bytes, which follow the body. */
function jsonWithSegment(body: string): number[] {
  const bytes = Buffer.from(body);
  const header = Buffer.alloc(13);
  header.writeUInt32LE(1 + 8 + bytes.length + 2, 0);
  header[4] = 1 | 0x80;
  header.writeUInt32LE(1, 5);
  header.writeUInt32LE(2, 9);
  return [...header, ...bytes, 7, 7];
}

const mib = 1024 * 1024;

/** A V8 body as runtime/v8-codec.ts writes one, with handled payloads (`['', payload]` is an Error inside a value). */
function withPayloads(payloads: readonly unknown[], message: unknown): Buffer {
  const serializer = new Serializer();
  serializer.writeHeader();
  serializer.writeUint32(payloads.length);
  for (const payload of payloads) serializer.writeValue(payload);
  serializer.writeValue(message);
  return serializer.releaseBuffer();
}

const described = (props: unknown[]) => ({
  k: 'error',
  error: { base: 'Error', name: 'Error', message: 'm', props },
});
// An answer the parent would take, were its payloads whole: to writeRaw, the second call of the case below.
const answer = { t: 'ok', id: 2, v: 'forged' };

/** An array of length 2^32 - 1 holding `items` from index 0: a few bytes of V8, whatever the length says. */
function sparse(...items: unknown[]): unknown[] {
  const array = [...items];
  array.length = 2 ** 32 - 1;
  return array;
}

const v8Frame = (message: unknown) => frame(2, withPayloads([], message));

/** An answer holding a typed array written inside the body (as Node writes one) of `type` and `bytes` bytes. */
function inlineView(type: number, bytes: number): number[] {
  class Inline extends DefaultSerializer {
    _writeHostObject(): void {
      this.writeUint32(0); // inlineTag in runtime/v8-codec.ts
      this.writeUint32(type);
      this.writeUint32(bytes);
      this.writeRawBytes(Buffer.alloc(bytes, 0x3f));
    }
  }
  const serializer = new Inline();
  serializer.writeHeader();
  serializer.writeUint32(0);
  serializer.writeValue({ ...answer, v: new Uint8Array(1) });
  return frame(2, serializer.releaseBuffer());
}

/** A V8 body whose message holds a value a transfer handler `name`, which the parent does not have, wrote. */
function withHandled(name: string, message: unknown): Buffer {
  class Handled extends Serializer {
    _writeHostObject(): void {
      this.writeUint32(2); // handledTag in runtime/v8-codec.ts
      this.writeUint32(0); // payload 0
    }
  }
  const serializer = new Handled();
  serializer.writeHeader();
  serializer.writeUint32(1);
  serializer.writeValue([name, 0]);
  serializer.writeValue(message);
  return serializer.releaseBuffer();
}

const malformed: [string, number[]][] = [
  ['an unknown codec', [5, 0, 0, 0, 9, 1, 2, 3, 4]],
  ['a zero length', [0, 0, 0, 0, 1]],
  ['a JSON body that does not parse', frame(1, 'not json {')],
  ['a V8 body that does not deserialize', frame(2, Buffer.from([0xff, 0x0f, 0x6f, 0x22, 0x7f]))],
  ['JSON that is not a message', frame(1, '{"t":"ok","id":-5}')],
  ['an answer to a call never made', frame(1, '{"t":"ok","id":999999,"v":1}')],
  ['a second ready message', frame(1, '{"t":"ready","methods":[]}')],
  ['a verdict with no tentative frame before it', [1, 0, 0, 0, 3]],
  // Refused on the count alone: the 400 KB of segment table it announces never come.
  ['more segments than a frame may carry', [0x8a, 0x1a, 0x06, 0, 0x82, 0xa0, 0x86, 0x01, 0]],
  ['a verdict with a body', [2, 0, 0, 0, 3, 0]],
  // A JSON answer with one 2-byte segment: the message would be delivered and the segment dropped.
  ['segments beside a JSON body', jsonWithSegment('{"t":"ok","id":2,"v":1}')],
  [
    'an Error payload that is no description',
    frame(2, withPayloads([['', { k: 'error', error: 'no' }]], answer)),
  ],
  [
    // Few bytes (V8 writes the one field again as a back-reference), many parts to rebuild.
    'Error payloads of more parts than a message may describe',
    frame(2, withPayloads([['', described(Array(100_001).fill(['f', { k: 'value' }, true]))]], answer)),
  ],
  // Read index by index, these took the parent minutes (Array.prototype.every counts up to the length), an Error
  // rebuilt from the sparse fields threw outside any handler, and arguments spread into a call took all its memory.
  ['a method list of length 2^32 - 1', v8Frame({ t: 'ready', methods: sparse('m') })],
  [
    'an Error description whose fields are an array of length 2^32 - 1',
    v8Frame({ t: 'err', id: 2, e: described(sparse()) }),
  ],
  [
    'an AggregateError description whose errors are an array of length 2^32 - 1',
    v8Frame({
      t: 'err',
      id: 2,
      e: {
        k: 'error',
        error: { base: 'AggregateError', name: 'AggregateError', message: 'm', errors: sparse(), props: [] },
      },
    }),
  ],
  // Node's own reader takes 11 bytes as one Float64Array element, the other 3 dropped.
  ['an inline Float64Array of 11 bytes (not whole elements)', inlineView(8, 11)],
  ['an inline view of an unknown type', inlineView(99, 4)],
  ['event arguments of length 2^32 - 1', v8Frame({ t: 'ev', e: 'tick', a: sparse(1) })],
  ['event arguments with a hole', v8Frame({ t: 'ev', e: 'tick', a: sparse(1).slice(0, 3) })],
  [
    'event arguments past the 16 384 a message carries',
    v8Frame({ t: 'ev', e: 'tick', a: Array(16_385).fill(0) }),
  ],
  ['callback arguments of length 2^32 - 1', v8Frame({ t: 'cb', id: 2, f: 0, n: 1, a: sparse(1) })],
  // Unreadable, it was answered without a look at its call: a stream of them filled the parent's memory.
  [
    'a callback of a call never made, with arguments no transfer handler here rebuilds',
    frame(2, withHandled('no-such-handler', { t: 'cb', id: 999_999, f: 0, n: 1, a: [new Uint8Array(0)] })),
  ],
  // Worker is no EventEmitter: it announced none, and subscribed to nothing.
  ['an event from a worker that is no emitter', frame(1, '{"t":"ev","e":"tick","a":[]}')],
  ['a disposed message before any dispose', frame(1, '{"t":"disposed"}')],
  // Worker is started without supportHandles: it has no IPC channel to speak of.
  ['a handle-taken message from a worker with no IPC channel', frame(1, '{"t":"handle-taken"}')],
  ['an ipc-closed message from a worker with no IPC channel', frame(1, '{"t":"ipc-closed"}')],
  // An answer the parent would act on (call 2 is the writeRaw), were the bytes after it not there.
  [
    'a V8 body with bytes after its message',
    frame(2, Buffer.concat([withPayloads([], answer), Buffer.from('junk')])),
  ],
  [
    'a tentative frame followed by anything but its verdict',
    [...frame(1 | 0x40, '{"t":"ok","id":999999,"v":1}'), ...frame(1, '{"t":"ok","id":999999,"v":1}')],
  ],
];

// The parent decodes each frame by its own codec byte whatever the mode, so one mode covers these.
describe('garbage on the channel', () => {
  it.each(malformed)('%s: the worker is terminated, its calls reject ProtocolError', async (_, bytes) => {
    const worker = await procxy(Worker, workersModule);
    const pid = worker.$pid;
    pids.add(pid);
    const other = worker.sleep(60_000);
    const error = (await rejection(worker.writeRaw(bytes))) as ProtocolError;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.code).toBe('PROCXY_PROTOCOL');
    expect(error.method).toBe('writeRaw');
    expect(error.pid).toBe(pid);
    const otherError = (await rejection(other)) as ProtocolError;
    expect(otherError).toBeInstanceOf(ProtocolError);
    expect(otherError.method).toBe('sleep');
    expect(await rejection(worker.pid())).toBeInstanceOf(ProtocolError);
    await waitGone(pid);
    await worker.$terminate();
    expect(await bystander.echo('unaffected')).toBe('unaffected');
  });
});

describe('callbacks of calls given up on', () => {
  it('end a worker that invokes them without reading the answers, past maxMessageBytes of them', async () => {
    const worker = await procxy(Worker, workersModule, { maxMessageBytes: 64 * 1024 });
    pids.add(worker.$pid);
    // Past the 1024 given-up calls kept, the oldest (call 1 among them) may be answered late any number of times.
    const controller = new AbortController();
    const hung = Array.from({ length: 1100 }, () =>
      worker.$with({ signal: controller.signal }).sleep(60_000),
    );
    controller.abort();
    for (const call of hung) await rejection(call);
    const error = await rejection(worker.invokeGivenUpCall(1, 400));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/it invoked callbacks faster than it read their answers/);
    await waitGone(worker.$pid);
    await worker.$terminate();
    expect(await bystander.echo('unaffected')).toBe('unaffected');
  });
});

// The parent never reads a worker's IPC channel (supportHandles): Node's reader would take in whatever comes there,
// descriptors included, and abort the process on some. Nothing a worker writes there reaches the parent.
describe('what a worker writes on its IPC channel', () => {
  const lines: [string, string, number][] = [
    ['a line that is not JSON', 'not json\n', 1],
    ['an acknowledgement of no handle', '{"cmd":"NODE_HANDLE_ACK"}\n', 1],
    ['a handle message of a type Node does not know', '{"cmd":"NODE_HANDLE","type":"nope","msg":{}}\n', 1],
    ['a line without end, longer than maxMessageBytes', 'x', 100_000],
  ];

  it.each(lines)('%s: does not reach the parent, and the worker serves on', async (_, text, times) => {
    const worker = await procxy(Worker, workersModule, { supportHandles: true, maxMessageBytes: 64 * 1024 });
    pids.add(worker.$pid);
    expect(await worker.writeIpc(text, times)).toBe('written');
    expect(await worker.echo('still serving')).toBe('still serving');
    await worker.$terminate();
    expect(await bystander.echo('unaffected')).toBe('unaffected');
  });

  it.each(['tcp', 'file', 'dir'] as const)(
    'descriptors (%s) sent with no handle message: none is installed here, and the parent lives',
    async (kind) => {
      const worker = await procxy(Worker, workersModule, { supportHandles: true });
      pids.add(worker.$pid);
      const open = () => readdirSync('/proc/self/fd').length;
      const before = open();
      expect(await worker.sendDescriptors(kind, '{"a":1}\n', 20)).toBe('sent');
      expect(await worker.echo('still serving')).toBe('still serving');
      expect(open()).toBeLessThanOrEqual(before);
      await worker.$terminate();
      expect(await bystander.echo('unaffected')).toBe('unaffected');
    },
  );

  it("keeps the worker's own messages from the parent: no $process listener hears them", async () => {
    const worker = await procxy(Worker, workersModule, { supportHandles: true });
    pids.add(worker.$pid);
    const heard: unknown[] = [];
    worker.$process.on('message', (message) => heard.push(message));
    expect(await worker.sendOwnMessages(3, 'unread')).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard).toEqual([]);
    await worker.$terminate();
  });

  it('ends a worker that says its Node took a handle when none was sent', async () => {
    const worker = await procxy(Worker, workersModule, { supportHandles: true });
    pids.add(worker.$pid);
    const error = await rejection(worker.writeRaw(frame(1, '{"t":"handle-taken"}')));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/it said it took a handle, and none was sent/);
    await waitGone(worker.$pid);
    await worker.$terminate();
  });
});

describe('a start no honest child sends', () => {
  const forgedStart = new URL('../fixtures/forged-start.mjs', import.meta.url);
  class Forged {
    echo(value: unknown): unknown {
      return value;
    }
  }

  it('a method list naming then: ProtocolError, where the proxy handed over would be awaited as a promise', async () => {
    const error = await rejection(
      procxy(Forged, forgedStart, { timeout: 0, env: { PROCXY_TEST_FORGE: 'ready-then' } }),
    );
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/not a child message: a 'ready' message of the wrong shape/);
    expect(await bystander.echo('unaffected')).toBe('unaffected');
  });

  it('a start failure whose thrown value is null: ModuleResolutionError saying so, the parent lives on', async () => {
    const error = await rejection(
      procxy(Forged, forgedStart, { env: { PROCXY_TEST_FORGE: 'init-error-null' } }),
    );
    expect(error).toBeInstanceOf(ModuleResolutionError);
    expect((error as Error).message).toBe('null');
    expect(await bystander.echo('unaffected')).toBe('unaffected');
  });

  it('a constructor that throws a value with no text (an honest child): SpawnError with that value as cause', async () => {
    class Unprintable {}
    const error = await rejection(procxy(Unprintable, forgedStart));
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as Error).message).toMatch(
      /The worker Unprintable failed to start: its constructor threw: \[object Object\]/,
    );
    expect((error as Error).cause).toEqual({ toString: 'not a function', reason: 'bad config' });
    expect(await bystander.echo('unaffected')).toBe('unaffected');
  });
});

describe('callback arguments of length 2^32 - 1 while the callback lives', () => {
  it('the worker is ended, its call rejects ProtocolError, the callback never runs, the parent keeps serving', async () => {
    const worker = await procxy(Worker, workersModule);
    const pid = worker.$pid;
    pids.add(pid);
    const heard: unknown[] = [];
    // The first call of a worker is call 1.
    const error = (await rejection(
      worker.forgeSparseCallbackArgs(1, (value: string) => heard.push(value)),
    )) as ProtocolError;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(/not a child message: a 'cb' message of the wrong shape/);
    expect(heard).toEqual([]);
    await waitGone(pid);
    await worker.$terminate();
    expect(await bystander.echo('unaffected')).toBe('unaffected');
  });
});

describe('a child that closes its end of the link', () => {
  it('cannot answer any more: its calls reject ChildCrashedError, the parent keeps serving', async () => {
    const worker = await procxy(Worker, workersModule);
    const pid = worker.$pid;
    pids.add(pid);
    const other = worker.sleep(60_000);
    expect(await rejection(worker.closeFd(4))).toBeInstanceOf(ChildCrashedError);
    expect(await rejection(other)).toBeInstanceOf(ChildCrashedError);
    await waitGone(pid);
    await worker.$terminate();
    expect(await bystander.echo('unaffected')).toBe('unaffected');
  });

  it.each(['output', 'input'] as const)(
    'and lives on (its %s): it is ended a moment later, its calls reject ProtocolError, the parent keeps serving',
    async (end) => {
      const worker = await procxy(Worker, workersModule, { timeout: 0 });
      const pid = worker.$pid;
      pids.add(pid);
      const other = worker.sleep(60_000);
      const closing = worker.closeLinkAndStay(end);
      // Without its input it still answers this call; without its output, nothing.
      if (end === 'input') expect(await closing).toBe('closed');
      else expect(await rejection(closing)).toBeInstanceOf(ProtocolError);
      const error = (await rejection(other)) as ProtocolError;
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.message).toMatch(/its end of the link failed: the worker closed it and went on running/);
      await waitGone(pid);
      await worker.$terminate();
      expect(await bystander.echo('unaffected')).toBe('unaffected');
    },
  );
});

describe('an Error description no child makes', () => {
  it.each([
    ['a cause chain 4 000 deep, in JSON', (w: Procxy<Worker, 'json'>) => w.forgeDeepCause(1, 4_000)],
    [
      'an AggregateError of one description twice, 22 levels deep (4 million errors in 2 KiB of V8)',
      (w: Procxy<Worker, 'json'>) => w.forgeSharedErrors(1, 22),
    ],
  ])(
    '%s: the worker is ended, its call rejects ProtocolError, the parent keeps serving',
    async (_, forge) => {
      const worker = await procxy(Worker, workersModule, { timeout: 0 });
      const pid = worker.$pid;
      pids.add(pid);
      // The first call of a worker is call 1.
      const error = (await rejection(forge(worker))) as ProtocolError;
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.message).toMatch(/not a child message: a 'err' message of the wrong shape/);
      await waitGone(pid);
      await worker.$terminate();
      expect(await bystander.echo('unaffected')).toBe('unaffected');
    },
  );
});

describe('text written over the channel', () => {
  it('"garbage..." terminates the worker; the parent keeps serving', async () => {
    const worker = await procxy(Worker, workersModule);
    const pid = worker.$pid;
    pids.add(pid);
    // Read as a header, "garb" is a length of 1.6 GB: over the default cap, so this is refused for its size.
    const error = (await rejection(worker.writeRaw([...Buffer.from('garbage...')]))) as ProcxyError;
    expect(error).toBeInstanceOf(MessageTooLargeError);
    await waitGone(pid);
    await worker.$terminate();
    expect(await bystander.echo('unaffected')).toBe('unaffected');
  });
});

describe.each(modes)('maxMessageBytes in %s mode', (serialization) => {
  let worker: Procxy<Worker, typeof serialization>;
  beforeAll(async () => {
    worker = await procxy(Worker, workersModule, { serialization, maxMessageBytes: mib });
    pids.add(worker.$pid);
  });
  afterAll(() => worker?.$terminate());

  it('arguments over the cap reject MessageTooLargeError before sending; the worker keeps serving', async () => {
    const error = (await rejection(worker.echo('x'.repeat(2 * mib)))) as MessageTooLargeError;
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error.code).toBe('PROCXY_MESSAGE_TOO_LARGE');
    expect(error.method).toBe('echo');
    expect(error.maxMessageBytes).toBe(mib);
    expect(await worker.echo('small')).toBe('small');
    // A value large enough to be sent before it is checked is measured before anything is sent too.
    const many = Array.from({ length: 3000 }, () => 'x'.repeat(1000));
    expect(await rejection(worker.echo(many))).toBeInstanceOf(MessageTooLargeError);
    expect(await worker.echo('small')).toBe('small');
  });

  it('a result over the cap rejects MessageTooLargeError; the worker keeps serving', async () => {
    const error = (await rejection(worker.big(2 * mib))) as MessageTooLargeError;
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error.maxMessageBytes).toBe(mib);
    expect(error.bytes).toBeGreaterThan(2 * mib);
    expect((await worker.big(1000)).length).toBe(1000);
  });

  it('at the lowest cap, 1024 bytes, a result over it still rejects MessageTooLargeError; the worker keeps serving', async () => {
    const small = await procxy(Worker, workersModule, { serialization, maxMessageBytes: 1024 });
    pids.add(small.$pid);
    try {
      const error = (await rejection(small.big(5000))) as MessageTooLargeError;
      expect(error).toBeInstanceOf(MessageTooLargeError);
      expect(error.message).toMatch(/^The answer of \d+ bytes exceeds maxMessageBytes \(1024\)/);
      expect(error.bytes).toBeGreaterThan(5000);
      expect(await small.echo('small')).toBe('small');
    } finally {
      await small.$terminate();
    }
  });

  it('a frame header over the cap terminates the worker with MessageTooLargeError, without waiting for the body', async () => {
    const doomed = await procxy(Worker, workersModule, { serialization, maxMessageBytes: mib });
    const pid = doomed.$pid;
    pids.add(pid);
    const header = Buffer.alloc(5);
    header.writeUInt32LE(2 * mib + 1, 0);
    header[4] = 1;
    const other = doomed.sleep(60_000);
    const error = (await rejection(doomed.writeRaw([...header]))) as MessageTooLargeError;
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error.method).toBe('writeRaw');
    expect(error.bytes).toBe(2 * mib);
    expect(error.maxMessageBytes).toBe(mib);
    expect(await rejection(other)).toBeInstanceOf(MessageTooLargeError);
    await waitGone(pid);
    await doomed.$terminate();
    expect(await worker.echo('unaffected')).toBe('unaffected');
  });
});
