// Errors thrown in the child arrive complete in the parent, in both serialization modes.

import { type Procxy, ProcxyError, procxy, SerializationError } from 'procxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as source from '../../runtime/errors.js';
import { Thrower } from './core-fixtures/errors.mjs';
import { rejection } from './helpers.js';
import { guardLeaks } from './reliability/helpers.js';

guardLeaks();

const module = new URL('./core-fixtures/errors.mjs', import.meta.url);

describe.each(['json', 'advanced'] as const)('errors in %s mode', (serialization) => {
  let worker: Procxy<Thrower, typeof serialization>;
  beforeAll(async () => {
    worker = await procxy(Thrower, module, { serialization });
  });
  afterAll(() => worker?.$terminate());

  it('keeps a custom error class: name, message, code, extra fields, cause and the child stack', async () => {
    const error = (await rejection(worker.custom())) as Error & { code: string; extra: number };
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('Error');
    expect(error.message).toBe('custom failure');
    expect(error.code).toBe('E_X');
    expect(error.extra).toBe(42);
    expect(Object.keys(error)).toEqual(['code', 'extra']);
    expect(error.cause).toBeInstanceOf(RangeError);
    expect((error.cause as Error).message).toBe('root cause');
    expect(error.stack).toContain('custom failure');
    expect(error.stack).toContain('errors.mjs');
  });

  it.each(['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError'])(
    'restores a built-in %s',
    async (kind) => {
      const error = (await rejection(worker.builtin(kind))) as Error;
      expect(error.constructor.name).toBe(kind);
      expect(error.name).toBe(kind);
      expect(error.message).toBe(`a ${kind}`);
    },
  );

  it('restores AggregateError with its errors and cause', async () => {
    const error = (await rejection(worker.aggregate())) as AggregateError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.message).toBe('many');
    expect(error.errors).toHaveLength(2);
    expect(error.errors[0]).toBeInstanceOf(TypeError);
    expect(error.errors[0].message).toBe('first');
    expect(error.errors[1]).toBe('second');
    expect(error.cause).toBe('why');
  });

  it('keeps the whole cause chain', async () => {
    const error = (await rejection(worker.chain())) as Error;
    const messages: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
    expect(messages).toEqual(['level 1', 'level 2', 'level 3']);
  });

  it('keeps errno and syscall of an async rejection', async () => {
    const error = (await rejection(worker.rejects())) as Error & { errno: number; syscall: string };
    expect(error.message).toBe('async failure');
    expect(error.errno).toBe(-2);
    expect(error.syscall).toBe('open');
  });

  it.each([
    ['a string', 'str'],
    ['a number', 42],
    ['null', null],
    ['an object', { a: 1 }],
  ])('rejects with %s thrown as it is', async (_, value) => {
    expect(await rejection(worker.value(value))).toEqual(value);
  });

  it('rejects when undefined is thrown', async () => {
    let settled = 'pending';
    await worker.nothing().then(
      () => {
        settled = 'resolved';
      },
      (error: unknown) => {
        settled = error === undefined ? 'rejected with undefined' : 'rejected with something else';
      },
    );
    expect(settled).toBe('rejected with undefined');
  });

  it('survives an error that is its own cause', async () => {
    const error = (await rejection(worker.cyclic())) as Error;
    expect(error.message).toBe('self cause');
    expect(error.cause).toBeInstanceOf(SerializationError);
  });

  it('says why a thrown value cannot cross, and where inside it', async () => {
    const thrown = (await rejection(worker.functionHolder())) as SerializationError;
    expect(thrown).toBeInstanceOf(SerializationError);
    expect(thrown.message).toBe(
      'The value thrown cannot be serialized: [object Object]: at .retry: a function cannot cross the process boundary',
    );
    const bytes = (await rejection(worker.taggedBytes())) as Error;
    expect(bytes.message).toMatch(
      /^The value thrown cannot be serialized: \[object Uint8Array\]: a Uint8Array with a property of its own \(unit\)/,
    );
  });

  it('answers a thrown Symbol object or a returned WebAssembly.Module with a SerializationError, and lives on', async () => {
    const pid = worker.$pid;
    const symbol = (await rejection(worker.boxedSymbol())) as SerializationError;
    expect(symbol).toBeInstanceOf(SerializationError);
    expect(symbol.message).toMatch(/a Symbol object cannot cross/);
    const module = (await rejection(worker.returnsWasmModule())) as SerializationError;
    expect(module).toBeInstanceOf(SerializationError);
    expect(module.path).toBe('result.module');
    expect(module.message).toMatch(/a WebAssembly.Module cannot cross/);
    expect(
      await worker
        .$with({})
        .builtin('TypeError')
        .catch((e: Error) => e.name),
    ).toBe('TypeError');
    expect(worker.$pid).toBe(pid);
  });

  it('answers for an Error whose cause or message getter throws, and lives on', async () => {
    const pid = worker.$pid;
    for (const part of ['cause', 'message']) {
      const error = (await rejection(worker.unreadableError(part))) as SerializationError;
      expect(error).toBeInstanceOf(SerializationError);
      expect(error.message).toContain(`could not be read or encoded: ${part} getter`);
    }
    expect(worker.$pid).toBe(pid);
    expect(await rejection(worker.builtin('TypeError'))).toBeInstanceOf(TypeError);
  });

  it('describes a field it cannot carry and keeps the others', async () => {
    const error = (await rejection(worker.fieldWithFunction())) as Error & {
      callback: unknown;
      when: unknown;
    };
    expect(error.message).toBe('has a function field');
    expect(error.callback).toBeInstanceOf(SerializationError);
    expect((error.callback as Error).message).toMatch(/\[function anonymous\]/);
    expect(error.when).toEqual(new Date(0));
  });

  it('rejects with what the then of a thenable result threw, and keeps serving', async () => {
    const pid = worker.$pid;
    const error = (await rejection(worker.brokenThenable())) as Error;
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('then threw');
    expect(await rejection(worker.nothing())).toBeUndefined();
    expect(worker.$pid).toBe(pid);
  });

  it('is not a ProcxyError when the worker threw it', async () => {
    expect(await rejection(worker.custom())).not.toBeInstanceOf(ProcxyError);
  });
});

describe('aboutCall', () => {
  it('names the call on a procxy error the child raised, in place', () => {
    const raised = new source.SerializationError('no', 'result');
    expect(source.aboutCall(raised, 'echo', 42)).toBe(raised);
    expect([raised.method, raised.pid]).toEqual(['echo', 42]);
  });

  it('names the call on a copy of a shared error: class, fields, cause and stack kept, the original untouched', () => {
    const shared = new source.TerminatedError('gone', { cause: new Error('why') });
    // Newer V8 gives an error a stack accessor that only answers for that error.
    Object.defineProperty(shared, 'stack', {
      configurable: true,
      get(this: unknown) {
        if (this !== shared) throw new TypeError('not the error the stack belongs to');
        return 'TerminatedError: gone\n    at somewhere';
      },
    });
    const named = source.aboutCall(shared, 'crash', 7, true);
    expect(named).not.toBe(shared);
    expect(named).toBeInstanceOf(source.TerminatedError);
    expect([named.code, named.message, named.method, named.pid]).toEqual([
      'PROCXY_TERMINATED',
      'gone',
      'crash',
      7,
    ]);
    expect((named.cause as Error).message).toBe('why');
    expect(named.stack).toBe('TerminatedError: gone\n    at somewhere');
    expect([shared.method, shared.pid]).toEqual([undefined, undefined]);
  });

  it("leaves the worker's own errors as they are, and an error naming its call unless others share it", () => {
    const own = new Error('mine');
    expect(source.aboutCall(own, 'echo', 1, true)).toBe(own);
    expect(Object.hasOwn(own, 'method')).toBe(false);
    const named = new source.TimeoutError('slow', 10, 3);
    expect(source.aboutCall(named, 'other', 4)).toBe(named);
    // Shared by the calls waiting for a fresh worker (its start timed out): each gets a copy naming itself.
    const copy = source.aboutCall(named, 'other', 4, true);
    expect(copy).not.toBe(named);
    expect([copy.method, copy.pid, named.method]).toEqual(['other', 3, 'slow']);
  });
});
