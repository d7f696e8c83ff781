// Events of an EventEmitter worker: on/once/off/listenerCount on the proxy, lazy subscription, payloads per mode.
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProtocolError, type ProxyControls, procxy } from 'procxy';
import { afterEach, describe, expect, it } from 'vitest';
import { Plain, Strict, Ticker } from './data-fixtures/events.mjs';
import { Forger } from './data-fixtures/forger.mjs';
import { scratchDir } from './helpers.js';
import { guardLeaks, waitGone } from './reliability/helpers.js';

guardLeaks();

const eventsUrl = new URL('./data-fixtures/events.mjs', import.meta.url);
const forgerUrl = new URL('./data-fixtures/forger.mjs', import.meta.url);

const started: ProxyControls<unknown>[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.$terminate()));
});
async function ticker(serialization: 'json' | 'advanced' = 'json') {
  const w = await procxy(Ticker, eventsUrl, { serialization });
  started.push(w);
  return w;
}

/** What the worker writes to its stderr from now on, as it has come so far. */
function stderrOf(w: ProxyControls<unknown>): () => string {
  let text = '';
  w.$process.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

describe('events', () => {
  it('delivers events with their arguments, in order with the call that emitted them', async () => {
    const w = await ticker();
    const ticks: number[] = [];
    w.on('tick', (i: number) => ticks.push(i));
    expect(await w.tick(1_000)).toBe(1_000);
    expect(ticks).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    const payloads: unknown[][] = [];
    w.on('data', (...args: unknown[]) => payloads.push(args));
    await w.emitNow('data', 'a', { b: [1, null] }, 3);
    expect(payloads).toEqual([['a', { b: [1, null] }, 3]]);
  });

  it('calls listeners with the proxy as this, as an emitter calls its own, a $with view too', async () => {
    const w = await ticker();
    const seen: unknown[] = [];
    w.$with({ timeout: 5_000 }).on('data', function (this: unknown) {
      seen.push(this);
    });
    await w.emitNow('data', 1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(w);
  });

  it('subscribes lazily: the child listens only while the parent does', async () => {
    const w = await ticker();
    expect(await w.attached('tick')).toBe(0);
    const a = () => {};
    const b = () => {};
    expect(w.on('tick', a)).toBe(w);
    w.on('tick', b);
    expect(w.listenerCount('tick')).toBe(2);
    expect(await w.attached('tick')).toBe(1);
    w.off('tick', a);
    expect(await w.attached('tick')).toBe(1);
    w.removeListener('tick', b);
    expect(w.listenerCount('tick')).toBe(0);
    expect(await w.attached('tick')).toBe(0);
    // Nobody listens: the worker emits as if procxy were not there (emit returns false).
    expect(await w.emitNow('tick', 1)).toBe(false);
  });

  it("keeps the parent's listeners hearing events after the worker takes all listeners off", async () => {
    const w = await ticker();
    const got: number[] = [];
    const listener = (i: number) => got.push(i);
    w.on('tick', listener);
    await w.removeAll();
    expect(await w.attached('tick')).toBe(1);
    await w.tick(2);
    await w.removeAll('tick');
    await w.tick(1);
    expect(await w.removeAllThenEmit('tick', 7)).toBe(true);
    expect(got).toEqual([0, 1, 0, 7]);
    // Once the parent stops listening, nothing of procxy's is left on the worker.
    w.off('tick', listener);
    expect(await w.attached('tick')).toBe(0);
    expect(await w.attached('removeListener')).toBe(0);
  });

  it('serves newListener and removeListener in the parent as an emitter does, and never asks the child for them', async () => {
    const w = await ticker();
    const stderr = stderrOf(w);
    const local = new EventEmitter();
    const proxied: unknown[][] = [];
    const expected: unknown[][] = [];
    // An event map (Ticker's) leaves them out of the names, as Node's typings do.
    w.on('newListener' as never, (...args: unknown[]) => proxied.push(['new', ...args]));
    w.on('removeListener' as never, (...args: unknown[]) => proxied.push(['removed', ...args]));
    local.on('newListener', (...args: unknown[]) => expected.push(['new', ...args]));
    local.on('removeListener', (...args: unknown[]) => expected.push(['removed', ...args]));
    const f = (i: number) => void i;
    w.once('tick', f);
    local.once('tick', f);
    await w.tick(1);
    local.emit('tick', 0);
    w.on('tick', f);
    local.on('tick', f);
    w.off('tick', f);
    local.off('tick', f);
    const steps = [
      ['new', 'removeListener', expect.any(Function)],
      ['new', 'tick', f],
      ['removed', 'tick', f],
      ['new', 'tick', f],
      ['removed', 'tick', f],
    ];
    expect(expected).toEqual(steps);
    expect(proxied).toEqual(steps);
    // Nothing was subscribed for them in the child, and nothing of theirs was forwarded (a function cannot cross).
    expect(await w.attached('newListener')).toBe(0);
    expect(await w.attached('removeListener')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stderr()).toBe('');
  });

  it('throws from on() and off() what a newListener or removeListener listener throws, as an emitter does', async () => {
    const w = await ticker();
    w.on('newListener' as never, (event: string) => {
      if (event === 'tikc') throw new TypeError(`unknown event '${event}'`);
    });
    expect(() => w.on('tikc' as never, () => {})).toThrow("unknown event 'tikc'");
    // Refused before it was added: nothing listens, nothing was subscribed.
    expect(w.listenerCount('tikc' as never)).toBe(0);
    expect(await w.attached('tikc')).toBe(0);
    const f = () => {};
    w.on('tick', f);
    w.on('removeListener' as never, () => {
      throw new RangeError('removal refused');
    });
    expect(() => w.off('tick', f)).toThrow('removal refused');
    expect(w.listenerCount('tick')).toBe(0);
  });

  it('runs a once listener once and then unsubscribes', async () => {
    const w = await ticker();
    const got: number[] = [];
    w.once('tick', (i: number) => got.push(i));
    expect(w.listenerCount('tick')).toBe(1);
    await w.tick(3);
    expect(got).toEqual([0]);
    expect(w.listenerCount('tick')).toBe(0);
    expect(await w.attached('tick')).toBe(0);
  });

  it('counts how many times a listener is registered when given one, as EventEmitter does', async () => {
    const w = await ticker();
    const f = (i: number) => void i;
    const g = (i: number) => void i;
    w.on('tick', f);
    w.on('tick', g);
    w.once('tick', g);
    expect(w.listenerCount('tick')).toBe(3);
    expect(w.listenerCount('tick', f)).toBe(1);
    expect(w.listenerCount('tick', g)).toBe(2);
    expect(w.listenerCount('tick', () => {})).toBe(0);
  });

  it('calls a once listener an earlier listener removed during the same event, as EventEmitter does', async () => {
    const w = await ticker();
    const got: string[] = [];
    const later = () => got.push('once');
    w.on('tick', () => {
      got.push('first');
      w.off('tick', later);
    });
    w.once('tick', later);
    await w.tick(2);
    expect(got).toEqual(['first', 'once', 'first']);
  });

  it('warns of an error event that arrives after its last listener went, instead of dropping it', async () => {
    const w = await ticker();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const heard: string[] = [];
      w.once('error', ((error: Error) => heard.push(error.message)) as never);
      // The child still has its forwarding listener for the second one: both emits are heard there.
      expect(await w.errorTwice()).toEqual([true, true]);
      expect(heard).toEqual(['e1']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => [(warning as { code?: string }).code, warning.message])).toEqual([
        [
          'PROCXY_UNHEARD_ERROR_EVENT',
          "An 'error' event of the worker arrived with no 'error' listener left to hear it: e2",
        ],
      ]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('removes the most recent registration of a listener, once listeners included', async () => {
    const w = await ticker();
    const got: string[] = [];
    const listener = (i: number) => got.push(`l${i}`);
    w.on('tick', listener);
    w.once('tick', listener);
    w.off('tick', listener);
    await w.tick(2);
    expect(got).toEqual(['l0', 'l1']);
  });

  it('drops, with a message on stderr, an event whose payload the mode cannot carry', async () => {
    const w = await ticker();
    const stderr = stderrOf(w);
    const bad: unknown[] = [];
    const good: unknown[] = [];
    w.on('bad', (...args: unknown[]) => bad.push(args));
    w.on('good', (...args: unknown[]) => good.push(args));
    await w.emitFunction();
    expect(good).toEqual([['after']]);
    expect(bad).toEqual([]);
    expect(await w.attached('bad')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stderr()).toMatch(/event 'bad' of Ticker was not delivered to the parent: args\[0\]: a function/);
  });

  it('drops, with a message on stderr, an event of more arguments than a message carries', async () => {
    const w = await ticker();
    const stderr = stderrOf(w);
    const counts: number[] = [];
    w.on('data', (...args: unknown[]) => counts.push(args.length));
    expect(await w.emitNow('data', ...Array<number>(16_385).fill(0))).toBe(true);
    expect(await w.emitNow('data', ...Array<number>(16_384).fill(0))).toBe(true);
    expect(counts).toEqual([16_384]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stderr()).toMatch(
      /event 'data' of Ticker was not delivered to the parent: args: 16385 arguments, over the 16384 one message carries/,
    );
  });

  it("subscribes past a worker's own `on`, and reports on stderr one its 'newListener' listener refuses", async () => {
    const w = await procxy(Strict, eventsUrl);
    started.push(w);
    const stderr = stderrOf(w);
    const got: unknown[] = [];
    // The worker's `on` throws for both: the child lived on, and the calls in it, only if procxy went past it.
    w.on('typo', (x: unknown) => got.push(x));
    w.on('refused', (x: unknown) => got.push(x));
    expect(await w.emitNow('typo', 1)).toBe(true);
    expect(await w.emitNow('refused', 2)).toBe(false);
    expect(got).toEqual([1]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stderr()).toMatch(
      /event 'refused' of Strict cannot reach the parent: listening to 'refused' failed: no listeners of refused/,
    );
  });

  it.each(['json', 'advanced'] as const)(
    'drops, with a message on stderr, an event whose payload has a throwing getter; emit does not throw (%s)',
    async (serialization) => {
      const w = await ticker(serialization);
      const stderr = stderrOf(w);
      const got: unknown[] = [];
      w.on('data', (...args: unknown[]) => got.push(args));
      expect(await w.emitThrowingGetter()).toBe(true);
      expect(await w.emitNow('data', 'after')).toBe(true);
      expect(got).toEqual([['after']]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stderr()).toMatch(
        /event 'data' of Ticker was not delivered to the parent: reading its arguments threw: getter failed/,
      );
    },
  );

  it('carries what the mode carries: a Date in advanced mode', async () => {
    const w = await ticker('advanced');
    const got: unknown[] = [];
    w.on('when', (d: unknown) => got.push(d));
    await w.emitDate();
    expect(got).toEqual([new Date(0)]);
  });

  it.each(['json', 'advanced'] as const)(
    'carries an Error argument (an error event) as a thrown one, in %s mode: class, name, stack, cause, fields',
    async (serialization) => {
      const w = await ticker(serialization);
      const got: unknown[][] = [];
      w.on('error', (...args: unknown[]) => got.push(args));
      await w.emitError();
      expect(got).toHaveLength(1);
      const [volume, error, attempt] = got[0]!;
      expect([volume, attempt]).toEqual(['volume-1', 3]);
      expect(error).toBeInstanceOf(RangeError);
      const e = error as RangeError & { code: string; limit: bigint };
      expect([e.name, e.message, e.code, e.limit]).toEqual(['QuotaError', 'disk full', 'ENOSPC', 10n]);
      expect(e.stack).toMatch(/QuotaError: disk full\n\s+at .*events\.mjs/);
      expect(e.cause).toBeInstanceOf(Error);
      expect((e.cause as Error).message).toBe('write failed');
    },
  );

  it('drops, with a message on stderr, an error event whose Error cannot be read; emit does not throw', async () => {
    const w = await ticker();
    const stderr = stderrOf(w);
    const got: unknown[] = [];
    w.on('error', (error: unknown) => got.push(error));
    expect(await w.emitUnreadableError()).toBe(true);
    await w.tick(0);
    expect(got).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stderr()).toMatch(
      /event 'error' of Ticker was not delivered to the parent: args\[0\]: the Error could not be read/,
    );
  });

  it('carries a large Buffer in an event', async () => {
    const w = await ticker('advanced');
    const got: Buffer[] = [];
    w.on('buffer', (b: Buffer) => got.push(b));
    await w.emitBuffer(3 << 20);
    expect(got).toHaveLength(1);
    expect(Buffer.isBuffer(got[0])).toBe(true);
    expect(got[0]!.length).toBe(3 << 20);
    expect(got[0]!.every((b) => b === 9)).toBe(true);
  });

  it('refuses symbol event names and non-function listeners', async () => {
    const w = await ticker();
    expect(() => w.on(Symbol('s') as never, (() => {}) as never)).toThrow(/must be a string/);
    expect(() => w.on('tick', 'no' as never)).toThrow(/must be a function/);
  });

  it('gives a class that is not an EventEmitter no event members, and serves its own `on`', async () => {
    const w = await procxy(Plain, eventsUrl);
    started.push(w);
    expect(await w.on('x')).toBe('plain on x');
    expect('once' in w).toBe(false);
  });

  it('subscribes again on the fresh worker that replaces a crashed one for a retry', async () => {
    const marker = join(scratchDir('procxy-events-'), 'crashed');
    const w = await procxy(Forger, forgerUrl, { retries: 1, idempotent: ['tickAfterCrash'] });
    started.push(w);
    const got: string[] = [];
    w.on('tick', (from: string) => got.push(from));
    expect(await w.tickAfterCrash(marker)).toBe('ok');
    expect(got).toEqual(['from the fresh worker']);
  });

  it('terminates a child that sends an event frame of the wrong shape', async () => {
    const w = await procxy(Forger, forgerUrl);
    started.push(w);
    await expect(w.forgeEvent()).rejects.toBeInstanceOf(ProtocolError);
    const v = await procxy(Forger, forgerUrl);
    started.push(v);
    await expect(v.forgeErrorEvent()).rejects.toBeInstanceOf(ProtocolError);
  });

  it('delivers nothing a child sent after it broke the protocol, even in the same write', async () => {
    const w = await procxy(Forger, forgerUrl);
    started.push(w);
    const heard: string[] = [];
    w.on('tick', (from: string) => heard.push(from));
    await expect(w.forgeAnswerThenEvents()).rejects.toBeInstanceOf(ProtocolError);
    await waitGone(w.$pid);
    expect(heard).toEqual([]);
  });

  it('surfaces a throwing listener as an uncaught exception and keeps the link working', () => {
    const script = fileURLToPath(new URL('./data-fixtures/listener-throws.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      uncaught: 'listener failed',
      laterListener: [0, 1, 0, 1, 2, 3, 4],
      callAfter: 5,
    });
  });

  it('does not keep the parent alive with a subscription alone', () => {
    const script = fileURLToPath(new URL('./data-fixtures/listen-and-leave.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('subscribed\n');
  });
});
