// Cancellation: an AbortSignal as the last argument reaches the method as a fresh signal, and rejects the call at once.
import { getEventListeners } from 'node:events';
import { AbortError, procxy, type SerializationMode, TerminatedError } from 'procxy';
import { describe, expect, it, vi } from 'vitest';
import { liveCallbackTables } from '../../dist/runtime/callbacks.js';
import { Tasks } from './data-fixtures/callbacks.mjs';
import { rejection, terminatedAfterEach } from './helpers.js';
import { guardLeaks } from './reliability/helpers.js';

guardLeaks();

const tasksUrl = new URL('./data-fixtures/callbacks.mjs', import.meta.url);

const track = terminatedAfterEach();
const tasks = (serialization: SerializationMode = 'json') =>
  track(procxy(Tasks, tasksUrl, { serialization }));

/** Lets the call reach the child: the child answers `callCount` only after it started `work`. */
async function running(w: Awaited<ReturnType<typeof tasks>>, calls: number) {
  expect(await w.callCount()).toBe(calls);
}

describe.each(['json', 'advanced'] as const)('cancellation in %s mode', (mode) => {
  it('sends nothing for an already aborted signal', async () => {
    const w = await tasks(mode);
    const controller = new AbortController();
    controller.abort('too late');
    const error = await rejection(w.work(10_000, controller.signal));
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ method: 'work', cause: 'too late' });
    expect((error as Error).message).toMatch(/before it was sent/);
    expect(await w.callCount()).toBe(0);
  });

  it('aborts the child signal with the reason and rejects the call at once', async () => {
    const w = await tasks(mode);
    const controller = new AbortController();
    const call = w.work(60_000, controller.signal);
    await running(w, 1);
    controller.abort(Object.assign(new RangeError('user gave up'), { code: 'E_GAVE_UP' }));
    const error = await rejection(call);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: 'PROCXY_ABORTED', method: 'work' });
    expect((error as AbortError).cause).toBeInstanceOf(RangeError);
    expect(await w.lastAbortSeen()).toEqual({
      isSignal: true,
      reason: { ctor: 'RangeError', name: 'RangeError', message: 'user gave up', code: 'E_GAVE_UP' },
    });
  });

  it('aborts the child signal, and the parent lives on, when the reason cannot be read', async () => {
    const w = await tasks(mode);
    const controller = new AbortController();
    const call = w.work(60_000, controller.signal);
    await running(w, 1);
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    controller.abort(revoked);
    expect(await rejection(call)).toBeInstanceOf(AbortError);
    expect(await w.lastAbortSeen()).toEqual({
      isSignal: true,
      reason: expect.objectContaining({
        message: expect.stringMatching(/a Proxy, which cannot be serialized/),
      }),
    });
  });

  it('aborts the child signal with a SerializationError naming the reason when no mode can carry it', async () => {
    const w = await tasks(mode);
    const controller = new AbortController();
    const call = w.work(60_000, controller.signal);
    await running(w, 1);
    controller.abort(Symbol('why'));
    expect(await rejection(call)).toBeInstanceOf(AbortError);
    expect(await w.lastAbortSeen()).toEqual({
      isSignal: true,
      reason: {
        ctor: 'SerializationError',
        name: 'SerializationError',
        message:
          "The caller's abort reason cannot be serialized: Symbol(why): a symbol cannot cross the process boundary",
        code: 'PROCXY_SERIALIZATION',
        path: 'reason',
      },
    });
  });

  it('aborts every call on a signal, and the parent lives on, when the reason is too large to send', async () => {
    const w = await track(procxy(Tasks, tasksUrl, { serialization: mode, maxMessageBytes: 1024 }));
    const controller = new AbortController();
    const calls = [w.work(60_000, controller.signal), w.work(60_000, controller.signal)];
    await running(w, 2);
    // Deep stacks: the AbortError that stands in for the reason once went with its stack, over the cap too.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    try {
      controller.abort('r'.repeat(5_000));
    } finally {
      Error.stackTraceLimit = limit;
    }
    for (const call of calls) expect(await rejection(call)).toBeInstanceOf(AbortError);
    expect(await w.abortCount()).toBe(2);
    expect(await w.lastAbortSeen()).toMatchObject({
      isSignal: true,
      reason: {
        name: 'AbortError',
        code: 'PROCXY_ABORTED',
        message: expect.stringMatching(
          /^The call was aborted; its reason could not be sent: Message of \d+ bytes exceeds maxMessageBytes \(1024\)$/,
        ),
      },
    });
  });

  it('aborts a call whose signal aborts while its arguments are read, and the child signal too', async () => {
    const w = await tasks(mode);
    const controller = new AbortController();
    const value = {
      get read() {
        controller.abort('aborted while read');
        return 1;
      },
    };
    const error = await rejection(w.workWith(value, controller.signal));
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ method: 'workWith', cause: 'aborted while read' });
    await vi.waitFor(async () => expect(await w.abortCount()).toBe(1));
    expect(await w.lastAbortSeen()).toEqual({ isSignal: true, reason: 'aborted while read' });
  });

  it('carries a default reason (an AbortError DOMException) and a plain value reason', async () => {
    const w = await tasks(mode);
    const first = new AbortController();
    const call = w.work(60_000, first.signal);
    await running(w, 1);
    first.abort();
    await expect(call).rejects.toBeInstanceOf(AbortError);
    expect(await w.lastAbortSeen()).toEqual({
      isSignal: true,
      reason: { ctor: 'DOMException', name: 'AbortError', message: 'This operation was aborted', code: 20 },
    });
    const second = new AbortController();
    const again = w.work(60_000, second.signal);
    await running(w, 2);
    second.abort('a string reason');
    await expect(again).rejects.toBeInstanceOf(AbortError);
    expect(await w.lastAbortSeen()).toEqual({ isSignal: true, reason: 'a string reason' });
  });
});

describe('cancellation in advanced mode', () => {
  it('carries a reason holding an Error with its fields', async () => {
    const w = await tasks('advanced');
    const controller = new AbortController();
    const call = w.work(60_000, controller.signal);
    await running(w, 1);
    controller.abort({ why: Object.assign(new RangeError('quota'), { code: 'E_QUOTA' }) });
    await expect(call).rejects.toBeInstanceOf(AbortError);
    const seen = (await w.lastAbortSeen()) as unknown as { reason: { why: RangeError & { code: string } } };
    expect(seen.reason.why).toBeInstanceOf(RangeError);
    expect(seen.reason.why.code).toBe('E_QUOTA');
  });
});

describe('cancellation', () => {
  it('gives the method a fresh signal that a finished call no longer listens to', async () => {
    const w = await tasks();
    const controller = new AbortController();
    expect(await w.signalIsFresh(controller.signal)).toBe(true);
    expect(await w.work(1, controller.signal)).toBe('done');
    controller.abort();
    expect(await w.lastAbortSeen()).toBeNull();
  });

  it('refuses an AbortSignal anywhere but last, saying where it may go', async () => {
    const w = await tasks('advanced');
    const signal = new AbortController().signal;
    const error = await rejection(w.outcome(() => 1, signal, 'last'));
    expect(error).toMatchObject({ code: 'PROCXY_SERIALIZATION', path: 'args[1]' });
    expect((error as Error).message).toMatch(/AbortSignal crosses only as the last argument/);
    await expect(w.signalIsFresh({ signal } as never)).rejects.toMatchObject({ path: 'args[0].signal' });
  });

  it('carries the TimeoutError of AbortSignal.timeout', async () => {
    const w = await tasks();
    const call = w.work(60_000, AbortSignal.timeout(200));
    await expect(call).rejects.toBeInstanceOf(AbortError);
    await expect(call).rejects.toMatchObject({ cause: { name: 'TimeoutError' } });
    expect(await w.lastAbortSeen()).toMatchObject({
      reason: { ctor: 'DOMException', name: 'TimeoutError', code: 23 },
    });
  });

  it('lets $with({ signal }) reach the child signal too', async () => {
    const w = await tasks();
    const own = new AbortController();
    const viaWith = new AbortController();
    const call = w.$with({ signal: viaWith.signal }).work(60_000, own.signal);
    await running(w, 1);
    viaWith.abort('from $with');
    await expect(call).rejects.toBeInstanceOf(AbortError);
    expect(await w.lastAbortSeen()).toEqual({ isSignal: true, reason: 'from $with' });
  });

  it('puts one listener on a signal that many calls share, none once they settle, and warns of no leak', async () => {
    const w = await tasks();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const shared = new AbortController();
      const answered = Array.from({ length: 20 }, () => w.$with({ signal: shared.signal }).callCount());
      expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
      await Promise.all(answered);
      expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
      const own = new AbortController();
      const aborted = Array.from({ length: 20 }, () =>
        w.$with({ signal: shared.signal }).work(60_000, own.signal),
      );
      shared.abort('enough');
      for (const call of aborted) expect(await rejection(call)).toBeInstanceOf(AbortError);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('puts one listener on a worker signal that a pool of workers shares, and none once they end', async () => {
    const shutdown = new AbortController();
    const pool = await Promise.all(
      Array.from({ length: 11 }, () => track(procxy(Tasks, tasksUrl, { signal: shutdown.signal }))),
    );
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    await Promise.all(pool.slice(1).map((w) => w.$terminate()));
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    shutdown.abort('closing');
    expect(await rejection(pool[0]!.callCount())).toBeInstanceOf(AbortError);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('ends a worker whose signal aborts while its constructor arguments are read', async () => {
    for (const serialization of ['json', 'advanced'] as const) {
      const controller = new AbortController();
      const value = {
        get read() {
          controller.abort('aborted while read');
          return 1;
        },
      };
      // Tasks takes no constructor argument: the child ignores this one, the parent reads it all the same.
      const Taking = Tasks as unknown as new (value: unknown) => Tasks;
      const started = procxy(Taking, tasksUrl, { serialization, signal: controller.signal }, value);
      const error = await rejection(track(started));
      expect(error).toBeInstanceOf(AbortError);
      expect(error).toMatchObject({ cause: 'aborted while read' });
    }
  });

  it('rejects a call at once when a getter of its arguments ends the worker', async () => {
    for (const ending of ['signal', 'terminate'] as const) {
      for (const kind of ['with a signal', 'plain'] as const) {
        const controller = new AbortController();
        const w = await track(procxy(Tasks, tasksUrl, { signal: controller.signal }));
        const value = {
          get read() {
            if (ending === 'signal') controller.abort('stop');
            else void w.$terminate();
            return 1;
          },
        };
        const call =
          kind === 'plain' ? w.kinds(value as never) : w.workWith(value, new AbortController().signal);
        const error = await rejection(call);
        expect(error, `${ending}, ${kind}`).toBeInstanceOf(
          ending === 'signal' ? AbortError : TerminatedError,
        );
      }
    }
  });

  it('releases the callbacks of an aborted call on both sides', async () => {
    const w = await tasks();
    const controller = new AbortController();
    let progress = 0;
    const call = w.workWithProgress(() => progress++, controller.signal);
    await running(w, 1);
    expect(liveCallbackTables()).toBe(1);
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(AbortError);
    expect(liveCallbackTables()).toBe(0);
    const late = await w.callKept();
    expect(late).toMatchObject({ error: { ctor: 'CallbackReleasedError' } });
    expect(progress).toBe(0);
    expect(await w.runtimeState()).toEqual({ scopes: 0, invocations: 0 });
  });
});
