// Callbacks, cancellation and events through a generated-style stub (spawnStub + serve) behave as with procxy().
import { AbortError } from 'procxy';
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
