// Values that cannot cross, given to a real worker: a SerializationError at their path, nothing sent, the worker fine.
import { runInNewContext } from 'node:vm';
import { procxy, SerializationError } from 'procxy';
import { describe, expect, it } from 'vitest';
import { Worker } from '../fixtures/workers.mjs';
import { guardLeaks, modes, workersModule } from './helpers.js';

const pids = new Set<number>();
guardLeaks(pids);

/** The worker's echo, which takes anything here: what it refuses is what is tested. */
interface Loose {
  echo(value: unknown): Promise<unknown>;
  echoes(): Promise<number>;
  $pid: number;
  $terminate(): Promise<void>;
}

const cycle = (): unknown => {
  const value: Record<string, unknown> = { name: 'loop' };
  value.self = value;
  return value;
};

/** A Proxy whose every trap throws: reading it in any way fails. */
const revoked = (): unknown => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

const refusedEverywhere: [string, unknown, string][] = [
  ['a nested function', { deep: [{ f: () => 1 }] }, 'args[0].deep[0].f'],
  ['a revoked Proxy', revoked(), 'args[0]'],
  ['a nested revoked Proxy', { p: revoked() }, 'args[0].p'],
  ['a symbol', { s: Symbol('s') }, 'args[0].s'],
  ['a Promise', { p: Promise.resolve(1) }, 'args[0].p'],
  ['a WeakMap', { w: new WeakMap() }, 'args[0].w'],
  [
    'a Map subclass with methods',
    {
      m: new (class Lookup extends Map {
        find() {}
      })(),
    },
    'args[0].m',
  ],
];
const refusedInJson: [string, unknown, string][] = [
  ['a bigint', { n: 10n }, 'args[0].n'],
  ['a cycle', cycle(), 'args[0].self'],
];

describe.each(modes)('bad arguments in %s mode', (serialization) => {
  const refused = serialization === 'json' ? [...refusedEverywhere, ...refusedInJson] : refusedEverywhere;

  it.each(refused)(
    '%s is refused at its path before anything is sent; the worker serves on',
    async (_, value, path) => {
      const worker = (await procxy(Worker, workersModule, { serialization })) as unknown as Loose;
      pids.add(worker.$pid);
      try {
        const error = await worker.echo(value).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SerializationError);
        expect((error as SerializationError).path).toBe(path);
        expect((error as SerializationError).code).toBe('PROCXY_SERIALIZATION');
        expect((error as SerializationError).method).toBe('echo');
        expect(await worker.echoes()).toBe(0);
        expect(await worker.echo('fine')).toBe('fine');
        expect(await worker.echoes()).toBe(1);
      } finally {
        await worker.$terminate();
      }
    },
  );

  it("plain data of another realm (a vm context's, as Jest runs tests in) crosses as plain data", async () => {
    const worker = (await procxy(Worker, workersModule, { serialization })) as unknown as Loose;
    pids.add(worker.$pid);
    try {
      const value = runInNewContext('({ name: "usage", rss: [1, 2], nested: { ok: true } })') as object;
      expect(Object.getPrototypeOf(value)).not.toBe(Object.prototype);
      expect(await worker.echo(value)).toEqual({ name: 'usage', rss: [1, 2], nested: { ok: true } });
      const classy = runInNewContext('new (class Q { m() {} })()') as object;
      expect(await worker.echo(classy).catch((e: unknown) => e)).toBeInstanceOf(SerializationError);
    } finally {
      await worker.$terminate();
    }
  });

  it.runIf(serialization === 'json')(
    'an array of holes is refused at its first hole, not after JSON wrote a null for each (0.7 s for ten million)',
    async () => {
      const worker = (await procxy(Worker, workersModule, { serialization })) as unknown as Loose;
      pids.add(worker.$pid);
      try {
        for (const holes of [new Array(10_000_000), Object.assign(new Array(10_000_000), { 0: 'first' })]) {
          const error = (await worker.echo(holes).catch((e: unknown) => e)) as SerializationError;
          expect(error).toBeInstanceOf(SerializationError);
          expect(error.message).toMatch(/a hole inside an array becomes null in json mode/);
        }
      } finally {
        await worker.$terminate();
      }
    },
  );

  it.runIf(serialization === 'json')(
    'an array of holes returned, or inside an array argument, is refused at its first hole too, before JSON wrote its nulls',
    async () => {
      const worker = (await procxy(Worker, workersModule, { serialization })) as unknown as Loose & {
        holes(length: number, nested: boolean): Promise<unknown>;
      };
      pids.add(worker.$pid);
      try {
        // Written out, the nulls of a hundred million holes take 500 MB, which this process must never hold.
        const peakBefore = process.resourceUsage().maxRSS;
        const refusals = [
          [worker.echo([[], new Array(100_000_000)]), 'args[0][1][0]'],
          [worker.holes(1_000_000, false), 'result[0]'],
          [worker.holes(1_000_000, true), 'result.holes[0]'],
        ] as const;
        for (const [call, path] of refusals) {
          const error = (await call.catch((e: unknown) => e)) as SerializationError;
          expect(error).toBeInstanceOf(SerializationError);
          expect(error.path).toBe(path);
          expect(error.message).toMatch(/a hole inside an array becomes null in json mode/);
        }
        expect(process.resourceUsage().maxRSS - peakBefore).toBeLessThan(250 * 1024);
      } finally {
        await worker.$terminate();
      }
    },
  );

  it.runIf(serialization === 'advanced')('a bigint and a cycle round-trip', async () => {
    const worker = (await procxy(Worker, workersModule, { serialization })) as unknown as Loose;
    pids.add(worker.$pid);
    try {
      expect(await worker.echo({ n: 10n })).toEqual({ n: 10n });
      const back = (await worker.echo(cycle())) as { self: unknown; name: string };
      expect(back.name).toBe('loop');
      expect(back.self).toBe(back);
    } finally {
      await worker.$terminate();
    }
  });
});
