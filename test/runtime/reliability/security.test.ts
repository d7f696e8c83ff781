// Only the dispatch table can be called, whatever the caller sends; __proto__ keys stay data in both processes.
import { type Procxy, procxy } from 'procxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Guarded, Worker } from '../fixtures/workers.mjs';
import { guardLeaks, modes, scratch, workersModule } from './helpers.js';
import { RawChild, type RawMessage } from './raw-child.js';

const pids = new Set<number>();
guardLeaks(pids);

const files = scratch();
afterAll(() => {
  files.cleanup();
});

const refused = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'then',
  'toJSON',
  '_secret',
  '$x',
  'sneaky',
];
const longName = 'm'.repeat(10 * 1024);

describe.each(modes)('the dispatch table in %s mode', (serialization) => {
  const log = `ran-${serialization}`;
  let worker: Procxy<Guarded, typeof serialization>;
  beforeAll(async () => {
    worker = await procxy(Guarded, workersModule, { serialization }, files.file(log));
    pids.add(worker.$pid);
  });
  afterAll(() => worker?.$terminate());

  it('serves the own and inherited methods', async () => {
    expect(await worker.echo('hi')).toBe('hi');
    expect(await worker.inherited()).toBe('inherited');
  });

  it.each([...refused.map((name) => [name, name]), ['a 10 kB name', longName]])(
    'has no member %s',
    (_, name) => {
      const proxy = worker as unknown as Record<string, unknown>;
      expect(name in proxy).toBe(false);
      expect(proxy[name]).toBeUndefined();
    },
  );

  it('never ran a refused method', async () => {
    expect(JSON.stringify({ worker })).toBe('{"worker":{}}');
    await worker.echo('flush');
    expect(files.lines(log)).toEqual([]);
  });
});

describe.each(modes)('hand-made call frames in %s mode', (serialization) => {
  const log = `raw-${serialization}`;
  let child: RawChild;
  let methods: string[];
  let nextId = 1;

  async function call(m: unknown, a: unknown[] = []): Promise<RawMessage> {
    const id = nextId++;
    child.send({ t: 'call', id, m, a });
    const answer = await child.next();
    expect(answer.id).toBe(id);
    return answer;
  }

  function expectMethodNotFound(answer: RawMessage, what = ''): void {
    expect(answer.t, what).toBe('err');
    const thrown = answer.e as { k: string; error: { base: string; name: string; message: string } };
    expect(thrown.k, what).toBe('error');
    expect(thrown.error.base, `${what} ${thrown.error.message}`).toBe('MethodNotFoundError');
  }

  beforeAll(async () => {
    child = new RawChild(serialization);
    pids.add(child.process.pid!);
    child.send({
      t: 'init',
      mode: serialization,
      className: 'Guarded',
      module: workersModule.href,
      args: [files.file(log)],
      maxMessageBytes: 1 << 20,
    });
    const ready = await child.next();
    expect(ready.t).toBe('ready');
    methods = ready.methods as string[];
  });
  afterAll(() => child?.kill());

  it('the child announces exactly the public methods, nearest class first', () => {
    expect(methods).toEqual(['echo', 'inherited']);
  });

  it('calls by index work', async () => {
    expect(await call(methods.indexOf('echo'), ['by index'])).toMatchObject({ t: 'ok', v: 'by index' });
  });

  it('an index past the table answers MethodNotFoundError and the child keeps serving', async () => {
    expectMethodNotFound(await call(methods.length));
    expectMethodNotFound(await call(2 ** 31));
    expect(await call(0, ['still here'])).toMatchObject({ t: 'ok', v: 'still here' });
  });

  it('a negative, fractional or non-number index answers MethodNotFoundError and the child keeps serving', async () => {
    // Strings matter: indexing the table with 'constructor' or 'length' must not reach Array's own members.
    // -1 is left out: the runtime reserves it for its handle-passing hook (runtime/handles.ts).
    for (const index of [
      -2,
      0.5,
      2 ** 53,
      '0',
      'constructor',
      'length',
      '__proto__',
      null,
      [0],
      { valueOf: 0 },
    ]) {
      const answer = await call(index).catch((error: Error) => {
        throw new Error(`index ${JSON.stringify(index)}: ${error.message}`);
      });
      expectMethodNotFound(answer, `index ${JSON.stringify(index)}:`);
    }
    expect(await call(0, ['still here'])).toMatchObject({ t: 'ok', v: 'still here' });
  });

  it('none of the refused methods ran', async () => {
    await call(0, ['flush']).catch(() => {});
    expect(files.lines(log)).toEqual([]);
  });
});

describe.each(modes)('prototype pollution in %s mode', (serialization) => {
  let worker: Procxy<Worker, typeof serialization>;
  beforeAll(async () => {
    worker = await procxy(Worker, workersModule, { serialization });
    pids.add(worker.$pid);
  });
  afterAll(() => worker?.$terminate());

  it('a {"__proto__": ...} argument arrives as data and pollutes neither process', async () => {
    const payload = JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, Record<string, number>>;
    const seen = await worker.inspect(payload);
    expect(seen).toEqual({
      polluted: false,
      ownKeys: ['__proto__'],
      plainPrototype: true,
      protoKey: { polluted: 1 },
    });
    expect('polluted' in {}).toBe(false);
    expect(await worker.polluted()).toBe(false);
  });

  it('a {"__proto__": ...} result arrives as data and pollutes neither process', async () => {
    const result = await worker.poisoned();
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__', 'nested']);
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toEqual({ polluted: 1 });
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
    const nested = result.nested as Record<string, unknown>;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(Object.keys(nested)).toEqual(['__proto__']);
    expect(nested.polluted).toBeUndefined();
    expect('polluted' in {}).toBe(false);
    expect(await worker.polluted()).toBe(false);
  });
});
