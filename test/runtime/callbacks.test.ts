// Proxied callbacks: top-level function arguments run in the parent while their call runs, and only then.
import {
  AbortError,
  CallbackReleasedError,
  ChildCrashedError,
  ProtocolError,
  procxy,
  SerializationError,
  type SerializationMode,
  transfer,
} from 'procxy';
import { describe, expect, it } from 'vitest';
import { liveCallbackTables } from '../../dist/runtime/callbacks.js';
import { Tasks } from './data-fixtures/callbacks.mjs';
import { Forger } from './data-fixtures/forger.mjs';
import { rejection, terminatedAfterEach } from './helpers.js';
import { guardLeaks } from './reliability/helpers.js';

guardLeaks();

const tasksUrl = new URL('./data-fixtures/callbacks.mjs', import.meta.url);
const forgerUrl = new URL('./data-fixtures/forger.mjs', import.meta.url);

const track = terminatedAfterEach();
const tasks = (serialization: SerializationMode = 'json') =>
  track(procxy(Tasks, tasksUrl, { serialization }));

/** Waits until the child has answered every callback invocation (answers travel after the call's own). */
async function settledState(w: Awaited<ReturnType<typeof tasks>>) {
  for (;;) {
    const state = await w.runtimeState();
    if (state.invocations === 0) return state;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What the fixture describes when the child refused a callback's first argument with a SerializationError. */
function refusedInChild(message: RegExp) {
  return {
    error: {
      ctor: 'SerializationError',
      name: 'SerializationError',
      code: 'PROCXY_SERIALIZATION',
      path: 'args[0]',
      message: expect.stringMatching(message),
    },
  };
}

describe.each(['json', 'advanced'] as const)('callbacks in %s mode', (mode) => {
  it('delivers 10 000 progress reports, in order, before the call resolves', async () => {
    const w = await tasks(mode);
    const seen: number[] = [];
    const count = await w.progress(10_000, (i: number, total: number) => {
      expect(total).toBe(10_000);
      seen.push(i);
    });
    expect(count).toBe(10_000);
    expect(seen).toHaveLength(10_000);
    expect(seen.every((v, i) => v === i)).toBe(true);
    expect(liveCallbackTables()).toBe(0);
    expect(await settledState(w)).toEqual({ scopes: 0, invocations: 0 });
  });

  it('gives the child each result of a callback it awaits', async () => {
    const w = await tasks(mode);
    expect(await w.ask('ready', async (q: string) => q.toUpperCase())).toBe('READY!');
    expect(await w.progressAwaited(1_000, (i: number) => i * 2)).toBe(999 * 1000);
    expect(
      await w.twoCallbacks(
        (v: number) => v + 1,
        10,
        (v: number) => v * 3,
      ),
    ).toEqual([11, 30]);
  });

  it('rejects in the child with what the callback threw: class, message, fields', async () => {
    const w = await tasks(mode);
    const thrown = await w.outcome(() => {
      throw Object.assign(new RangeError('out of range in the parent'), { code: 'E_RANGE' });
    });
    expect(thrown).toEqual({
      error: {
        ctor: 'RangeError',
        name: 'RangeError',
        message: 'out of range in the parent',
        code: 'E_RANGE',
      },
    });
    const rejected = await w.outcome(async () => {
      throw new TypeError('async failure');
    });
    expect(rejected).toEqual({ error: { ctor: 'TypeError', name: 'TypeError', message: 'async failure' } });
  });

  it('rejects in the child, and the parent lives on, when what the callback threw cannot be read', async () => {
    const w = await tasks(mode);
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    // A revoked Proxy runs no trap without throwing; it is described without being read.
    for (const callback of [
      () => {
        throw revoked;
      },
      async () => {
        throw revoked;
      },
    ]) {
      expect(await w.outcome(callback)).toMatchObject({
        error: {
          ctor: 'SerializationError',
          message: expect.stringMatching(/a Proxy, which cannot be serialized/),
        },
      });
    }
    // An Error whose cause getter throws: the child is told so.
    const unreadable = new Error('unreadable');
    Object.defineProperty(unreadable, 'cause', {
      get() {
        throw new Error('cause getter');
      },
    });
    expect(
      await w.outcome(() => {
        throw unreadable;
      }),
    ).toMatchObject({
      error: {
        ctor: 'SerializationError',
        path: "callback args[0] of 'outcome'",
        message: expect.stringMatching(/could not be read: cause getter/),
      },
    });
    expect(await w.callCount()).toBeGreaterThanOrEqual(0);
  });

  it('names the path when a getter of a callback argument or result throws', async () => {
    const w = await tasks(mode);
    const result = await w.outcome(() => ({
      get x(): number {
        throw new Error('result getter');
      },
    }));
    expect(result).toMatchObject({
      error: {
        ctor: 'SerializationError',
        path: 'result',
        message: expect.stringMatching(/could not be read: result getter/),
      },
    });
    let calls = 0;
    const argument = await w.callWithUnreadable(() => {
      calls++;
    });
    expect(calls).toBe(0);
    expect(argument).toMatchObject({
      error: {
        ctor: 'SerializationError',
        path: 'args',
        message: expect.stringMatching(/could not be read: argument getter/),
      },
    });
  });

  it('passes undefined arguments as undefined both ways, so default parameters apply', async () => {
    const w = await tasks(mode);
    expect(await w.outcome((a: number, b = 'default') => `${a} ${b}`, 1, undefined)).toEqual({
      ok: '1 default',
    });
    const signal = new AbortController().signal;
    expect(await w.$with({ signal }).kinds(1, undefined)).toEqual(['number', 'undefined']);
  });

  it('rejects in the child with what a thenable answer of the callback threw from its then', async () => {
    const w = await tasks(mode);
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the case
      then() {
        throw new RangeError('then threw');
      },
    };
    expect(await w.outcome(() => thenable)).toEqual({
      error: { ctor: 'RangeError', name: 'RangeError', message: 'then threw' },
    });
    expect(await w.kinds('still serving')).toEqual(['string']);
  });

  it('answers a callback whose result or error is over maxMessageBytes with MessageTooLargeError, in the child', async () => {
    const w = await track(procxy(Tasks, tasksUrl, { serialization: mode, maxMessageBytes: 64 * 1024 }));
    const large = 'x'.repeat(100_000);
    const tooLarge = (what: string) => ({
      error: {
        ctor: 'MessageTooLargeError',
        name: 'MessageTooLargeError',
        code: 'PROCXY_MESSAGE_TOO_LARGE',
        message: expect.stringMatching(
          new RegExp(
            `The ${what} of the callback args\\[0\\] of 'outcome' takes \\d+ bytes, over maxMessageBytes \\(65536\\)`,
          ),
        ),
      },
    });
    expect(await w.outcome(() => large)).toEqual(tooLarge('result'));
    const thrown = () => Object.assign(new Error('with a large body'), { body: large });
    expect(
      await w.outcome(() => {
        throw thrown();
      }),
    ).toEqual(tooLarge('error'));
    expect(
      await w.outcome(async () => {
        throw thrown();
      }),
    ).toEqual(tooLarge('error'));
    expect(await w.kinds('still serving')).toEqual(['string']);
  });

  it('rejects a callback invoked after its call settled, in the child, with CallbackReleasedError', async () => {
    const w = await tasks(mode);
    let ran = 0;
    expect(await w.keep(() => ran++)).toBe('function');
    const late = await w.callKept('late');
    expect(late).toEqual({
      error: {
        ctor: 'CallbackReleasedError',
        name: 'CallbackReleasedError',
        code: 'PROCXY_CALLBACK_RELEASED',
        message: expect.stringMatching(/callback args\[0\] of 'keep' was invoked after the call settled/),
      },
    });
    expect(ran).toBe(0);
    expect(new CallbackReleasedError('x').code).toBe('PROCXY_CALLBACK_RELEASED');
  });

  it('refuses, in the child, callback arguments the mode cannot carry', async () => {
    const w = await tasks(mode);
    const result = await w.outcome(
      (f: unknown) => f,
      () => 1,
    );
    // `outcome` passes the function it got on: a function nested in a callback's arguments is not a callback.
    expect(result).toEqual(refusedInChild(/callback args\[0\] of 'outcome'.*a function cannot cross/));
  });

  it('refuses, in the child, a callback invoked with more arguments than a message carries', async () => {
    const w = await tasks(mode);
    let ran = 0;
    const result = await w.outcome(() => ran++, ...Array<number>(16_385).fill(0));
    expect(result).toEqual({
      error: {
        ctor: 'SerializationError',
        name: 'SerializationError',
        code: 'PROCXY_SERIALIZATION',
        path: 'args',
        message: expect.stringMatching(
          /callback args\[0\] of 'outcome': args: 16385 arguments, over the 16384 one message carries/,
        ),
      },
    });
    expect(ran).toBe(0);
    expect(await w.outcome((...args: unknown[]) => args.length, ...Array<number>(16_384).fill(0))).toEqual({
      ok: 16_384,
    });
  });

  it('gives a node-style callback the Error it was called with: class, stack, cause, fields', async () => {
    const w = await tasks(mode);
    let received: unknown[] = [];
    const answer = await w.failNodeStyle((...args: unknown[]) => {
      received = args;
      return 'seen';
    });
    expect(answer).toBe('seen');
    const [error, partial] = received;
    expect(partial).toBe('partial');
    expect(error).toBeInstanceOf(TypeError);
    const e = error as TypeError & { code: string };
    expect([e.message, e.code, (e.cause as Error).message]).toEqual(['bad input', 'E_INPUT', 'parse failed']);
    expect(e.stack).toMatch(/at .*callbacks\.mjs/);
  });

  it.each(['getter', 'proxy'] as const)(
    'rejects, in the child, a call with an Error it cannot read (%s), without throwing at once',
    async (kind) => {
      const w = await tasks(mode);
      let calls = 0;
      const result = await w.unreadableError(() => {
        calls++;
      }, kind);
      expect(calls).toBe(0);
      expect(result).toEqual(
        refusedInChild(
          kind === 'getter' ? /the Error could not be read: cause getter/ : /a Proxy cannot be serialized/,
        ),
      );
    },
  );

  it('refuses, in the child, a callback result the mode cannot carry', async () => {
    const w = await tasks(mode);
    const result = await w.outcome(() => Symbol('nope'));
    expect(result).toMatchObject({ error: { ctor: 'SerializationError', path: 'result' } });
  });
});

describe('callbacks', () => {
  it('end a worker that invokes them without reading their answers once maxMessageBytes of answers wait', async () => {
    const w = await track(procxy(Tasks, tasksUrl, { maxMessageBytes: 1024 * 1024 }));
    // A synchronous loop: the child reads nothing until it ends, and each invocation has its answer.
    const error = await w.progress(300_000, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(
      /it invoked callbacks faster than it read their answers: \d+ bytes of them wait unread, over the 1048576/,
    );
    expect(await tasks().then((fresh) => fresh.progress(10_000, () => {}))).toBe(10_000);
  });

  it('serves calls that await large callback answers all at once, past maxMessageBytes of them together', async () => {
    const mib = 1 << 20;
    const w = await track(procxy(Tasks, tasksUrl, { serialization: 'advanced', maxMessageBytes: 4 * mib }));
    const answer = (size: number) => Buffer.alloc(size, 1);
    // Six invocations in flight in one call, then six calls each awaiting one: 6 MiB of answers at once, each read.
    expect(await w.manyLargeAnswers(6, mib, 6, answer)).toBe(6 * mib);
    const totals = await Promise.all(Array.from({ length: 6 }, () => w.manyLargeAnswers(1, mib, 1, answer)));
    expect(totals).toEqual(Array(6).fill(mib));
  });

  it('answers a callback still running when $terminate() disposes the worker, whose dispose awaits it', async () => {
    const w = await procxy(Tasks, tasksUrl);
    const call = w.taskAwaiting(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return 1;
    });
    call.catch(() => {});
    // The callback runs in the parent when the worker is told to dispose itself, which waits for the task.
    await w.callCount();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await w.$terminate();
    // Disposed and exited on its own, not ended by SIGTERM after terminateTimeout.
    expect([w.$process.exitCode, w.$process.signalCode]).toEqual([0, null]);
  });

  it('end a worker that reads nothing while late answers, from an async callback, come to invocations it went past', async () => {
    const w = await track(
      procxy(Tasks, tasksUrl, { serialization: 'advanced', maxMessageBytes: 1024 * 1024 }),
    );
    const late = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return Buffer.alloc(64 * 1024, 1);
    };
    // 200 invocations in one go, then the worker's event loop stays busy: no answer is read, none may pile up here.
    const error = await w.invokeThenBlock(200, 10_000, late).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/it invoked callbacks faster than it read their answers/);
  });

  it.each([
    [1000, 1],
    [16, 64],
  ])(
    'serves a worker whose %i calls await their callbacks in %i lanes each when all are aborted at once',
    async (count, lanes) => {
      const w = await track(procxy(Tasks, tasksUrl, { maxMessageBytes: 64 * 1024 }));
      const controller = new AbortController();
      let answered = 0;
      const calls = Array.from({ length: count }, () =>
        w.$with({ signal: controller.signal }).lanes(lanes, () => {
          if (++answered === 20_000) controller.abort();
          return 1;
        }),
      );
      for (const call of calls) expect(await rejection(call)).toBeInstanceOf(AbortError);
      // The invocations the aborted calls made before they heard of it get refusals, which are no unread answers.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await w.kinds('still serving')).toEqual(['string']);
    },
  );

  it('serves calls that each await one large callback answer after another, past maxMessageBytes of them in flight', async () => {
    const kib = 1024;
    const w = await track(
      procxy(Tasks, tasksUrl, { serialization: 'advanced', maxMessageBytes: 1024 * kib }),
    );
    const answer = (size: number) => Buffer.alloc(size, 1);
    // Each call reads an answer before it invokes again, while the other calls' answers wait their turn here.
    const totals = await Promise.all(
      Array.from({ length: 8 }, () => w.manyLargeAnswers(3, 512 * kib, 1, answer)),
    );
    expect(totals).toEqual(Array(8).fill(3 * 512 * kib));
    // One call in many lanes: each answer waits while the other lanes invoke again.
    expect(await w.manyLargeAnswers(96, 256 * kib, 16, answer)).toBe(96 * 256 * kib);
    // As many lanes as a call may have: answers queued behind a write in flight look held until all of them went.
    expect(await w.manyLargeAnswers(640, 64 * kib, 64, answer)).toBe(640 * 64 * kib);
  });

  it('answers, in the child, a callback result with more binary values than a message carries with SerializationError; the parent lives on', async () => {
    const w = await track(procxy(Tasks, tasksUrl, { serialization: 'advanced' }));
    const marked = () => {
      const buffers = Array.from({ length: 65_537 }, () => new ArrayBuffer(1));
      return transfer(buffers, buffers);
    };
    const refused = {
      error: {
        ctor: 'SerializationError',
        name: 'SerializationError',
        code: 'PROCXY_SERIALIZATION',
        path: '',
        message: expect.stringMatching(
          /^The result of the callback args\[0\] of 'outcome' cannot be sent: 65537 binary values would travel beside the message/,
        ),
      },
    };
    expect(await w.outcome(marked)).toEqual(refused);
    expect(await w.outcome(async () => marked())).toEqual(refused);
    expect(await w.kinds('still serving')).toEqual(['string']);
  });

  it('rejects, in the child, a callback invoked with more binary values than a message carries, naming the method; its buffers stay the child’s', async () => {
    const w = await track(procxy(Tasks, tasksUrl, { serialization: 'advanced' }));
    let ran = 0;
    expect(await w.markedArgs(65_537, () => ran++)).toEqual({
      error: {
        ctor: 'SerializationError',
        name: 'SerializationError',
        code: 'PROCXY_SERIALIZATION',
        path: '',
        method: 'markedArgs',
        message: expect.stringMatching(
          /^Cannot call the callback args\[1\] of 'markedArgs': 65537 binary values would travel beside the message/,
        ),
      },
      kept: true,
    });
    expect(ran).toBe(0);
    expect(await w.markedArgs(3, (buffers: ArrayBuffer[]) => buffers.length)).toEqual({ ok: 3, kept: false });
  });

  it('leaves unmarked the buffers of a callback invoked after its call settled: a later message copies them', async () => {
    const w = await track(procxy(Tasks, tasksUrl, { serialization: 'advanced' }));
    expect(await w.keep(() => 'never')).toBe('function');
    expect(await w.callKeptWithMarked()).toEqual({
      error: expect.objectContaining({ ctor: 'CallbackReleasedError' }),
      length: 16,
    });
    expect((await w.markedBuffer()).byteLength).toBe(16);
    expect(await w.markedLength()).toBe(16);
  });

  it('delivers 100 000 progress reports a busy child does not await, whose answers wait here until it reads again', async () => {
    // The child reads nothing while its loop runs: every answer is held in this process until it returns.
    const w = await tasks();
    let seen = 0;
    expect(await w.progress(100_000, () => seen++)).toBe(100_000);
    expect(seen).toBe(100_000);
    expect(await settledState(w)).toEqual({ scopes: 0, invocations: 0 });
  }, 60_000);

  it('keeps a function nested in a value a SerializationError, sent nowhere', async () => {
    const w = await tasks('advanced');
    await expect(w.ask({ f: () => 1 } as never, () => 1)).rejects.toThrow(SerializationError);
    await expect(w.ask({ f: () => 1 } as never, () => 1)).rejects.toMatchObject({ path: 'args[0].f' });
    expect(await w.callCount()).toBe(0);
  });

  it('carries what only advanced mode can carry through callbacks', async () => {
    const w = await tasks('advanced');
    const result = await w.outcome(
      (m: Map<string, Date>) => new Set(m.keys()),
      new Map([['a', new Date(0)]]),
    );
    expect(result).toEqual({ ok: new Set(['a']) });
  });

  it('carries large binaries both ways through a callback', async () => {
    const w = await track(procxy(Tasks, tasksUrl, { serialization: 'advanced' }));
    const size = 4 << 20;
    const result = await w.bigRoundTrip(size, (data: Buffer) => {
      expect(Buffer.isBuffer(data)).toBe(true);
      expect(data.length).toBe(size);
      expect(data.every((b) => b === 7)).toBe(true);
      return Buffer.alloc(size * 2, 3);
    });
    expect(result).toEqual({ isBuffer: true, length: size * 2, last: 3 });
  });

  it('serves a child that reads every answer, however large and however many are in flight', async () => {
    const w = await track(procxy(Tasks, tasksUrl, { serialization: 'advanced' }));
    const mib = 1 << 20;
    // 100 MiB of answers, two at a time: the unread ones never add up to the 64 MiB a child may leave.
    const answer = async (size: number) => {
      await new Promise((resolve) => setImmediate(resolve));
      return Buffer.alloc(size, 1);
    };
    expect(await w.manyLargeAnswers(100, mib, 2, answer)).toBe(100 * mib);
    // One answer larger than that allowance, within maxMessageBytes.
    expect(await w.manyLargeAnswers(1, 80 * mib, 1, (size) => Buffer.alloc(size, 2))).toBe(80 * mib);
  });

  it('releases in the child what a callback still waits for when its call is aborted', async () => {
    const w = await tasks();
    let finish: (value: string) => void = () => {};
    const controller = new AbortController();
    const call = w
      .$with({ signal: controller.signal })
      .awaitAndRecord(() => new Promise<string>((resolve) => (finish = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(call).rejects.toThrow(/aborted/);
    // Settled in the parent after the abort: the child heard that its callback was released, not this value.
    finish('too late');
    for (let i = 0; i < 3; i++) {
      const never = new AbortController();
      const stuck = w.$with({ signal: never.signal }).awaitAndRecord(() => new Promise<string>(() => {}));
      setTimeout(() => never.abort(), 20);
      await stuck.catch(() => {});
    }
    expect(await w.runtimeState()).toEqual({ scopes: 0, invocations: 0 });
    expect(await w.lastOutcome()).toMatchObject({ error: { name: 'CallbackReleasedError' } });
  });

  it('terminates a child that invokes a callback of a call never made, or one the call does not have', async () => {
    for (const [id, f] of [
      [99, 0],
      [1, 5],
    ] as const) {
      const w = await track(procxy(Forger, forgerUrl));
      const error = await w.forgeCallback(id, f).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toMatch(id === 99 ? /unknown call 99/ : /no callback at args\[5\]/);
    }
  });

  it('terminates a child that answers a call twice, or invokes a callback of a call it answered', async () => {
    for (const then of ['answer', 'callback'] as const) {
      const w = await track(procxy(Forger, forgerUrl));
      // The first call is id 1: its first answer settles it, what comes after for it breaks the protocol.
      expect(await w.forgeAfterAnswer(1, then)).toBe('first');
      const error = await w.ping().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toMatch(
        then === 'answer' ? /A second answer to call 1\b/ : /A callback of call 1, which it already answered/,
      );
    }
  });

  it('drops the late answer of an aborted call, and ends a child that answers it twice, past 1024 never answered', async () => {
    const w = await track(procxy(Forger, forgerUrl));
    // Calls 1 to 1100 are aborted and never answered: the parent keeps the last 1024 of them apart.
    for (let i = 0; i < 1100; i++) {
      const controller = new AbortController();
      const call = w.hang(controller.signal);
      controller.abort();
      await expect(call).rejects.toThrow(/aborted/);
    }
    // The oldest, forgotten, still counts as owed; a recent one is owed once.
    expect(await w.forgeAnswer(1)).toBe('sent');
    expect(await w.forgeAnswer(1100)).toBe('sent');
    const error = await w.forgeAnswer(1100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/A second answer to call 1100\b/);
  });

  it('drops the answer of a callback still running when its child died', async () => {
    const w = await tasks('json');
    let finished!: () => void;
    const answered = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const call = w.dieDuringCallback(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished();
      return 'too late';
    });
    await expect(call).rejects.toBeInstanceOf(ChildCrashedError);
    await answered;
    await new Promise((resolve) => setImmediate(resolve));
    expect(liveCallbackTables()).toBe(0);
  });

  it('keeps nothing after 100 000 calls with callbacks on one worker', async () => {
    const w = await tasks('json');
    const batch = 5_000;
    let answered = 0;
    for (let done = 0; done < 100_000; done += batch) {
      const calls = [];
      for (let i = 0; i < batch; i++) calls.push(w.ask('q', () => answered++));
      await Promise.all(calls);
    }
    expect(answered).toBe(100_000);
    expect(liveCallbackTables()).toBe(0);
    expect(await settledState(w)).toEqual({ scopes: 0, invocations: 0 });
  });
});
