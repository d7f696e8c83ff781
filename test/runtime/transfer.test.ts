// Transfer slots: large and transferred binaries travel as raw segments, intact, and transferred ones detach.
import { createHash } from 'node:crypto';
import vm from 'node:vm';
import { MessageTooLargeError, type Procxy, procxy, SerializationError } from 'procxy';
import { transfer } from 'procxy/transfer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Binary } from './core-fixtures/binary.mjs';
import { guardLeaks } from './reliability/helpers.js';

guardLeaks();

const module = new URL('./core-fixtures/binary.mjs', import.meta.url);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const MiB = 1024 * 1024;

function filled(bytes: number, seed: number): Uint8Array {
  const memory = new Uint8Array(new ArrayBuffer(bytes));
  for (let i = 0; i < bytes; i += 4096) memory[i] = (i / 4096 + seed) & 0xff;
  return memory;
}

describe('transfer slots', () => {
  let worker: Procxy<Binary, 'advanced'>;
  beforeAll(async () => {
    worker = await procxy(Binary, module, { serialization: 'advanced' });
  });
  afterAll(() => worker?.$terminate());

  it('moves a transferred 10 MiB buffer intact and leaves the sender detached', async () => {
    const bytes = filled(10 * MiB, 1);
    const digest = sha(bytes);
    const memory = bytes.buffer;
    expect(await worker.hash(transfer(bytes, [memory]))).toBe(digest);
    expect(memory.byteLength).toBe(0);
    expect(bytes.byteLength).toBe(0);
  });

  it('copies an untransferred large buffer and leaves the sender intact', async () => {
    const bytes = Buffer.from(filled(10 * MiB, 2));
    expect(await worker.hash(bytes)).toBe(sha(bytes));
    expect(bytes.byteLength).toBe(10 * MiB);
  });

  it('lets the caller change an untransferred buffer as soon as the call returns', async () => {
    // 10 MiB is more than the socket takes at once: the rest must have been copied before the call returned.
    const bytes = Buffer.from(filled(10 * MiB, 3));
    const digest = sha(bytes);
    const hashed = worker.hash(bytes);
    bytes.fill(0xff);
    expect(await hashed).toBe(digest);
  });

  it('lets the caller change a buffer sent in the same tick as many small calls', async () => {
    // A write of more chunks than go to the fd at once: everything borrowed is copied.
    const small = Array.from({ length: 100 }, (_, i) => worker.hash(Buffer.from([i])));
    const bytes = Buffer.from(filled(3 * MiB, 4));
    const digest = sha(bytes);
    const hashed = worker.hash(bytes);
    bytes.fill(0);
    expect(await hashed).toBe(digest);
    expect(await Promise.all(small)).toEqual(Array.from({ length: 100 }, (_, i) => sha(Buffer.from([i]))));
  });

  it('reuses the memory of copies only once they are written', async () => {
    // Rounds of calls in flight: later copies land in memory earlier ones used, each changed at once by its caller.
    for (let round = 0; round < 3; round++) {
      const sent = Array.from({ length: 4 }, (_, i) => Buffer.from(filled(3 * MiB, 10 * round + i)));
      const digests = sent.map(sha);
      const hashed = sent.map((bytes) => {
        const answer = worker.hash(bytes);
        bytes.fill(0xee);
        return answer;
      });
      expect(await Promise.all(hashed)).toEqual(digests);
    }
  });

  it('moves 200 MiB intact and leaves the sender detached', async () => {
    const bytes = filled(200 * MiB, 3);
    const digest = sha(bytes);
    expect(await worker.hash(transfer(bytes, [bytes.buffer]))).toBe(digest);
    expect(bytes.byteLength).toBe(0);
  });

  it('moves a transferred Buffer of its own memory and leaves it detached', async () => {
    const bytes = Buffer.allocUnsafeSlow(10 * MiB).fill(9);
    const digest = sha(bytes);
    expect(await worker.hash(transfer(bytes, [bytes.buffer]))).toBe(digest);
    expect(bytes.byteLength).toBe(0);
  });

  it('finds transferred and large binaries at any depth of the arguments, with their types', async () => {
    const shared = new ArrayBuffer(256 * 1024);
    const value = {
      a: [{ floats: new Float64Array(shared, 8, 16) }],
      b: { bytes: new Uint8Array(shared) },
      whole: new ArrayBuffer(100_000),
      view: new DataView(new ArrayBuffer(70_000)),
      small: Buffer.from('small'),
    };
    const seen = await worker.describe(transfer(value, [shared]));
    expect(seen).toEqual([
      { path: 'v.a.0.floats', type: 'Float64Array', length: 128, ownMemory: false },
      { path: 'v.b.bytes', type: 'Uint8Array', length: 256 * 1024, ownMemory: true },
      { path: 'v.whole', type: 'ArrayBuffer', length: 100_000, ownMemory: true },
      { path: 'v.view', type: 'DataView', length: 70_000, ownMemory: true },
      { path: 'v.small', type: 'Buffer', length: 5, ownMemory: false },
    ]);
    expect(shared.byteLength).toBe(0);
  });

  it('keeps two views of one transferred buffer on one memory', async () => {
    const memory = new ArrayBuffer(128 * 1024);
    const args = transfer([new Uint8Array(memory), new Uint16Array(memory, 64, 8)] as const, [memory]);
    expect(await worker.sameMemory(...args)).toBe(64);
  });

  it('keeps views of one untransferred large buffer on one memory, small ones after the first too', async () => {
    const memory = new ArrayBuffer(256 * 1024);
    new Uint8Array(memory).fill(1, 64, 80);
    expect(await worker.sameMemory(new Uint8Array(memory), new Uint16Array(memory, 64, 8))).toBe(64);
    expect(await worker.sameMemory(new Uint8Array(memory, 1024), new Uint8Array(memory, 70_000, 10))).toBe(
      68_976,
    );
    // A view that starts before the first one's memory travels apart, intact.
    const [late, early] = (await worker.echo([
      new Uint8Array(memory, 1024),
      new Uint8Array(memory, 0, 100),
    ])) as Uint8Array[];
    expect(late!.buffer).not.toBe(early!.buffer);
    expect([...early!.subarray(60, 84)]).toEqual([...new Uint8Array(memory, 60, 24)]);
    expect(memory.byteLength).toBe(256 * 1024);
    // One far past the first one's end travels apart rather than bring the bytes between along.
    const wide = new ArrayBuffer(4 * 1024 * 1024);
    const [head, tail] = (await worker.echo([
      new Uint8Array(wide, 0, 64 * 1024),
      new Uint8Array(wide, 3 * 1024 * 1024, 16),
    ])) as Uint8Array[];
    expect(head!.buffer.byteLength).toBe(64 * 1024);
    expect(tail!.buffer).not.toBe(head!.buffer);
  });

  it('keeps a typed array aligned in the segment of a view at an odd offset of its buffer, both ways', async () => {
    const memory = new ArrayBuffer(256 * 1024);
    const floats = new Float64Array(memory, 8, 4);
    floats.set([1.5, 2.5, 3.5, 4.5]);
    const [bytes, back] = (await worker.echo([new Uint8Array(memory, 1, 100_000), floats])) as [
      Uint8Array,
      Float64Array,
    ];
    expect([...back]).toEqual([1.5, 2.5, 3.5, 4.5]);
    expect(back.buffer).toBe(bytes.buffer);
    expect(back.byteOffset - bytes.byteOffset).toBe(7);
    expect(await worker.length(new Uint8Array(8))).toBe(8);
  });

  it('returns a transferred result from the child, nested', async () => {
    const result = (await worker.makeTransferred(3 * MiB, 7)) as { deep: { data: Uint8Array } };
    expect(result.deep.data.byteLength).toBe(3 * MiB);
    expect(result.deep.data.every((b) => b === 7)).toBe(true);
  });

  it('sends a small buffer the child marked as a segment of its own, not inside the body', async () => {
    // Under 64 KiB, only the mark makes it a segment: inline, it would arrive as a view into the body.
    const result = (await worker.makeTransferred(1024, 8)) as { deep: { data: Uint8Array } };
    expect(result.deep.data.byteLength).toBe(1024);
    expect(result.deep.data.buffer.byteLength).toBe(1024);
    expect(result.deep.data.every((b) => b === 8)).toBe(true);
  });

  it('gives a small Buffer received beside a large one memory of its own', async () => {
    const back = (await worker.echo({ big: Buffer.alloc(MiB, 1), small: Buffer.from('tiny') })) as {
      big: Buffer;
      small: Buffer;
    };
    expect(Buffer.isBuffer(back.small)).toBe(true);
    expect(back.small.toString()).toBe('tiny');
    expect(back.small.buffer.byteLength).toBeLessThan(64 * 1024);
    expect(back.big.buffer.byteLength).toBe(MiB);
  });

  it('answers large and small binaries intact and each to its own call when many are in flight', async () => {
    const sizes = [5, 3 * MiB + 7, 70_000, 0, MiB + 13, 200, 2 * MiB, 64 * 1024, 1];
    const sent = Array.from({ length: 36 }, (_, i) => Buffer.from(filled(sizes[i % sizes.length]!, i)));
    const back = (await Promise.all(sent.map((bytes) => worker.echo(bytes)))) as Buffer[];
    expect(back.map((bytes) => sha(bytes))).toEqual(sent.map((bytes) => sha(bytes)));
  });

  it('round-trips user values that look like placeholders', async () => {
    const lookalikes = {
      tag: new Uint8Array([1, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0]),
      words: new Uint32Array([0, 1, 0xfff0_0001]),
      text: 'segment 0',
      object: { $segment: 0, t: 'ok', k: 'error' },
    };
    expect(await worker.echo(lookalikes)).toEqual(lookalikes);
  });

  it('refuses to transfer the shared pool of small Buffers', async () => {
    const pooled = Buffer.from('pooled');
    let error: unknown;
    try {
      await worker.echo(transfer(pooled, [pooled.buffer as ArrayBuffer]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toMatch(/cannot transfer the memory of a pooled Buffer/);
    expect(pooled.toString()).toBe('pooled');
    expect(await worker.echo('still serving')).toBe('still serving');
  });

  it('refuses a transfer with a pooled buffer at its path, moving none of the buffers it named', async () => {
    const big = filled(MiB, 3);
    const digest = sha(big);
    const pooled = Buffer.from('pooled');
    const error = await worker
      .echo(transfer({ big, pooled }, [big.buffer, pooled.buffer as ArrayBuffer]))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('args[0].pooled');
    expect(big.byteLength).toBe(MiB);
    // The refused call used the marks up: the next call copies the buffer and leaves it here.
    expect(await worker.hash(big)).toBe(digest);
    expect(big.byteLength).toBe(MiB);
  });

  it('leaves the buffers of a call refused before sending with their caller, unmarked', async () => {
    const bytes = filled(128 * 1024, 4);
    const aborted = AbortSignal.abort();
    await expect(worker.$with({ signal: aborted }).length(transfer(bytes, [bytes.buffer]))).rejects.toThrow(
      /aborted/,
    );
    expect(await worker.length(bytes)).toBe(128 * 1024);
    expect(bytes.byteLength).toBe(128 * 1024);
  });

  it('unmarks the buffers a sent message was given but did not carry, so a later call copies them', async () => {
    const small = new ArrayBuffer(16);
    const large = filled(128 * 1024, 6);
    // The marked buffers are not in the value, nor in a non-enumerable property V8 does not write.
    const value = Object.defineProperty({ n: 1 }, 'hidden', { value: large, enumerable: false });
    expect(await worker.describe(transfer(value, [small, large.buffer]) as never)).toBeDefined();
    expect(small.byteLength).toBe(16);
    expect(await worker.length(new Uint8Array(small))).toBe(16);
    expect(await worker.length(large)).toBe(128 * 1024);
    expect(small.byteLength).toBe(16);
    expect(large.byteLength).toBe(128 * 1024);
  });

  it('refuses more buffers to move than a message carries, moving none of them', async () => {
    const buffers = Array.from({ length: 70_000 }, () => new ArrayBuffer(1));
    const error = await worker.describe(transfer(buffers, buffers)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toMatch(
      /70000 binary values would travel beside the message.* over the 65536/,
    );
    expect(buffers.every((b) => b.byteLength === 1)).toBe(true);
    expect(await worker.length(new Uint8Array(buffers[0]!))).toBe(1);
  });

  it('unmarks the buffers of a refused call that a getter leads to, so a later call copies them', async () => {
    const bytes = filled(1024, 5);
    const value = {
      get data() {
        return bytes;
      },
      refused: () => 1,
    };
    await expect(worker.describe(transfer(value, [bytes.buffer]) as never)).rejects.toThrow(
      SerializationError,
    );
    expect(await worker.length(bytes)).toBe(1024);
    expect(bytes.byteLength).toBe(1024);
  });

  it('leaves a worker the buffers of a result it refused, unmarked', async () => {
    // Its type says it cannot be called (its result holds a function): what the worker does then is the test.
    const refusing = worker as unknown as { refusedTransfer(): Promise<unknown> };
    await expect(refusing.refusedTransfer()).rejects.toBeInstanceOf(SerializationError);
    expect((await worker.kept()).length).toBe(64);
    // Had the refused result's mark stayed, the answer above would have moved the buffer out of the worker.
    expect((await worker.kept()).length).toBe(64);
  });

  it('refuses a buffer an earlier transfer detached, naming its path', async () => {
    const bytes = filled(1024, 5);
    expect(await worker.length(transfer(bytes, [bytes.buffer]))).toBe(1024);
    const error = await worker.length({ kept: bytes }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('args[0].kept');
    expect((error as Error).message).toMatch(/detached/);
    expect(await worker.echo('still serving')).toBe('still serving');
  });

  it('moves an ArrayBuffer made in another realm, alone and through a view', async () => {
    const bytes = vm.runInNewContext('new Uint8Array(16).fill(7)') as Uint8Array;
    const digest = sha(bytes);
    const memory = bytes.buffer;
    expect(await worker.hash(transfer(bytes, [memory]))).toBe(digest);
    expect(memory.byteLength).toBe(0);
    const alone = vm.runInNewContext('new ArrayBuffer(32)') as ArrayBuffer;
    expect(await worker.length(transfer(alone, [alone]))).toBe(32);
    expect(alone.byteLength).toBe(0);
  });

  it('sends the bytes of a view, not those its own non-enumerable buffer, byteOffset or byteLength name', async () => {
    for (const size of [16, 128 * 1024]) {
      for (const name of ['buffer', 'byteOffset', 'byteLength'] as const) {
        const view = filled(size, 11);
        const digest = sha(view);
        const other = { buffer: filled(size * 2, 12).buffer, byteOffset: 8, byteLength: 3 }[name];
        Object.defineProperty(view, name, { value: other });
        expect(await worker.hash(view)).toBe(digest);
      }
    }
  });

  it('refuses a transfer list that is not ArrayBuffers', () => {
    expect(() => transfer({}, [new Uint8Array(4) as unknown as ArrayBuffer])).toThrow(
      /buffers\[0\] is not an ArrayBuffer/,
    );
  });
});

describe('marks of a message that was not sent', () => {
  it('do not reach marks set after a start sent its constructor arguments, when the worker then fails to load', async () => {
    const data = filled(1024, 10);
    const start = procxy as unknown as (...args: unknown[]) => Promise<unknown>;
    const failing = start(
      Binary,
      new URL('./fixtures/throws-on-load.mjs', import.meta.url),
      { serialization: 'advanced' },
      { data },
    );
    // The arguments went with the start; this mark is for the next message that carries the buffer.
    const marked = transfer(data, [data.buffer]);
    await expect(failing).rejects.toMatchObject({ name: 'SpawnError' });
    const worker = await procxy(Binary, module, { serialization: 'advanced' });
    try {
      expect(await worker.length(marked)).toBe(1024);
      expect(data.byteLength).toBe(0);
    } finally {
      await worker.$terminate();
    }
  });

  it('stay off the buffers of constructor arguments refused before a worker started', async () => {
    const bytes = filled(1024, 7);
    // Binary takes no constructor arguments: its type says so, and the test passes one all the same.
    const start = procxy as unknown as (...args: unknown[]) => Promise<unknown>;
    const refused = start(
      Binary,
      module,
      { serialization: 'advanced', timeout: -1 },
      transfer(bytes, [bytes.buffer]),
    );
    await expect(refused).rejects.toMatchObject({ name: 'OptionsValidationError' });
    // Its init message over the cap: refused once the child is there, before anything was sent to it.
    const large = filled(64 * 1024, 9);
    const tooLarge = start(
      Binary,
      module,
      { serialization: 'advanced', maxMessageBytes: 4096 },
      transfer(large, [large.buffer]),
    );
    await expect(tooLarge).rejects.toBeInstanceOf(MessageTooLargeError);
    const worker = await procxy(Binary, module, { serialization: 'advanced' });
    try {
      expect(await worker.length(bytes.subarray(0, 4))).toBe(4);
      expect(bytes.byteLength).toBe(1024);
      expect(await worker.length(large.subarray(0, 4))).toBe(4);
      expect(large.byteLength).toBe(64 * 1024);
    } finally {
      await worker.$terminate();
    }
  });
});

describe('a transfer refused for its size', () => {
  it('moves nothing: the buffer stays with its caller, intact and unmarked', async () => {
    const worker = await procxy(Binary, module, { serialization: 'advanced', maxMessageBytes: MiB });
    try {
      const bytes = filled(2 * MiB, 6);
      const digest = sha(bytes);
      await expect(worker.length(transfer(bytes, [bytes.buffer]))).rejects.toBeInstanceOf(
        MessageTooLargeError,
      );
      expect(bytes.byteLength).toBe(2 * MiB);
      expect(sha(bytes)).toBe(digest);
      expect(await worker.length(bytes.subarray(0, MiB / 2))).toBe(MiB / 2);
      expect(bytes.byteLength).toBe(2 * MiB);
    } finally {
      await worker.$terminate();
    }
  });

  it('runs no getter of the thrown value while it drops its marks: the worker keeps serving', async () => {
    const worker = await procxy(Binary, module, { serialization: 'advanced', maxMessageBytes: MiB });
    try {
      await expect(worker.throwHostileView(2 * MiB)).rejects.toBeInstanceOf(MessageTooLargeError);
      expect(await worker.length(new Uint8Array(4))).toBe(4);
    } finally {
      await worker.$terminate();
    }
  });

  it('unmarks what an Error or an abort reason too large to send carried: the buffer stays, attached, on the side that threw it', async () => {
    const worker = await procxy(Binary, module, { serialization: 'advanced', maxMessageBytes: MiB });
    try {
      // Thrown by a method, in the child.
      await expect(worker.throwMarked(2 * MiB)).rejects.toBeInstanceOf(MessageTooLargeError);
      expect((await worker.thrownView()).length).toBe(4);
      expect(await worker.thrownLength()).toBe(2 * MiB);
      // Thrown by a callback, in the parent.
      const bytes = filled(2 * MiB, 8);
      const thrown = transfer(Object.assign(new Error('marked'), { data: bytes }), [bytes.buffer]);
      expect(
        await worker.callbackFails(() => {
          throw thrown;
        }),
      ).toEqual({ error: 'MessageTooLargeError' });
      expect(await worker.length(bytes.subarray(0, 4))).toBe(4);
      expect(bytes.byteLength).toBe(2 * MiB);
      // An abort's reason.
      const controller = new AbortController();
      const waiting = worker.waitForAbort(controller.signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort(transfer({ data: bytes }, [bytes.buffer]));
      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
      expect(await worker.length(bytes.subarray(0, 4))).toBe(4);
      expect(bytes.byteLength).toBe(2 * MiB);
    } finally {
      await worker.$terminate();
    }
  });
});
