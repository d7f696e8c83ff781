// Callbacks, cancellation and events through a generated-style stub (spawnStub + serve) behave as with procxy().
import { fileURLToPath } from 'node:url';
import { AbortError, ModuleResolutionError, OptionsValidationError } from 'procxy';
import { spawnStub } from 'procxy/stub';
import { afterEach, describe, expect, it } from 'vitest';
import { guardLeaks } from './reliability/helpers.js';

guardLeaks();

const child = new URL('./data-fixtures/stub-children.mjs', import.meta.url);

interface TasksStub {
  ask(question: string, answer: (q: string) => string): Promise<string>;
  work(ms: number, signal: AbortSignal): Promise<string>;
  lastAbortSeen(): Promise<{ reason: unknown } | null>;
  callCount(): Promise<number>;
  $terminate(): Promise<void>;
}
interface TickerStub {
  tick(count: number): Promise<number>;
  attached(event: string): Promise<number>;
  on(event: 'tick', listener: (i: number) => void): TickerStub;
  off(event: 'tick', listener: (i: number) => void): TickerStub;
  $terminate(): Promise<void>;
}

const started: { $terminate(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.$terminate()));
});

function stub<P extends { $terminate(): Promise<void> }>(
  className: string,
  methods: string[],
  arg: string,
): Promise<P> {
  return spawnStub<P>(
    { className, source: 'stub-children.mjs', child, serialization: 'json', methods, idempotent: [] },
    { args: [arg] },
    [],
  ).then((p) => {
    started.push(p);
    return p;
  });
}

describe('a generated stub’s options', () => {
  const spec = {
    className: 'Tasks',
    source: 'stub-children.mjs',
    child,
    serialization: 'json' as const,
    methods: ['callCount'],
    idempotent: [],
  };

  it.each([
    [null, 'options', /expected an object, got null/],
    ['x', 'options', /expected an object, got "x"/],
    [
      { serialization: 'advanced' },
      'serialization',
      /fixed by the generated stub \(json\); set it in procxy\.config\.ts/,
    ],
    [
      { idempotent: ['callCount'] },
      'idempotent',
      /fixed by the generated stub \(none\); mark a method with @idempotent/,
    ],
  ])('refuses %j, naming %s, where the stub fixes or cannot take it', async (options, option, message) => {
    const error = await spawnStub(spec, options as never, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionsValidationError);
    expect((error as OptionsValidationError).option).toBe(option);
    expect((error as Error).message).toMatch(message);
  });

  it('names a missing child entry instead of starting a child that cannot load it', async () => {
    const missing = new URL('./data-fixtures/no-such.procxy.child.mjs', import.meta.url);
    const error = await spawnStub({ ...spec, child: missing }, {}, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleResolutionError);
    expect((error as Error).message).toContain(
      `The generated child entry of Tasks is missing: ${fileURLToPath(missing)}`,
    );
  });
});

describe('generated stubs', () => {
  it('run callbacks and cancel calls', async () => {
    const w = await stub<TasksStub>('Tasks', ['ask', 'work', 'lastAbortSeen', 'callCount'], 'tasks');
    expect(await w.ask('stub', (q) => q.toUpperCase())).toBe('STUB!');
    const controller = new AbortController();
    const call = w.work(60_000, controller.signal);
    expect(await w.callCount()).toBe(1);
    controller.abort('stop');
    await expect(call).rejects.toBeInstanceOf(AbortError);
    expect(await w.lastAbortSeen()).toEqual({ isSignal: true, reason: 'stop' });
  });

  it('deliver events with lazy subscription', async () => {
    const w = await stub<TickerStub>('Ticker', ['tick', 'attached'], 'ticker');
    const got: number[] = [];
    const listener = (i: number) => got.push(i);
    w.on('tick', listener);
    expect(await w.attached('tick')).toBe(1);
    await w.tick(3);
    expect(got).toEqual([0, 1, 2]);
    w.off('tick', listener);
    expect(await w.attached('tick')).toBe(0);
  });
});
