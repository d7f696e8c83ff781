// Transfer handlers: a custom type crosses at any depth as its payload and is rebuilt by the same-named handler.

import { once } from 'node:events';
import net from 'node:net';
import { procxy, SerializationError, SpawnError } from 'procxy';
import { spawnStub } from 'procxy/stub';
import { registerTransferHandler } from 'procxy/transfer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Binary } from './core-fixtures/binary.mjs';
import { Echo } from './core-fixtures/echo.mjs';
import {
  Boxed,
  Brittle,
  boxedSample,
  Exploding,
  Geometry,
  knotChain,
  knotSerializations,
  Point,
  Segment,
} from './core-fixtures/point.mjs';
import { Handles } from './handle-fixtures/handles.mjs';
import { guardLeaks } from './reliability/helpers.js';

guardLeaks();

const module = new URL('./core-fixtures/point.mjs', import.meta.url);

/** What the worker serves; the no-build types cannot know that a transfer handler carries Point. */
interface GeometryProxy {
  norms(value: unknown): Promise<number[]>;
  brittle(tag: string): Promise<{ made: Brittle[] }>;
  pid(): Promise<number>;
  relay(callback: (b: Brittle) => unknown, tag: string): Promise<{ answer?: unknown; failed?: string }>;
  mirror(point: Point): Promise<Point>;
  segments(list: unknown[]): Promise<{ length: number; points: boolean; cycle: boolean; back: unknown[] }>;
  deep(): Promise<unknown>;
  echo<T>(value: T): Promise<unknown>;
  boxes(): Promise<unknown>;
  fail(how: 'thrown' | 'cause' | 'errors'): Promise<never>;
  knots(top: unknown): Promise<{ count: number; knots: boolean; shared: boolean }>;
  $terminate(): Promise<void>;
}

describe.each(['json', 'advanced'] as const)('transfer handlers in %s mode', (serialization) => {
  let worker: GeometryProxy;
  beforeAll(async () => {
    worker = (await procxy(Geometry, module, { serialization })) as unknown as GeometryProxy;
  });
  afterAll(() => worker?.$terminate());

  it('rebuilds a custom type at depth 3 of the arguments', async () => {
    const value = { a: [{ b: { p: new Point(3, 4) } }], q: new Point(6, 8) };
    expect(await worker.norms(value)).toEqual([5, 10]);
  });

  it('rebuilds a custom type returned by the child, at any depth', async () => {
    const mirrored = await worker.mirror(new Point(1, 2));
    expect(mirrored).toBeInstanceOf(Point);
    expect(mirrored).toEqual(new Point(-1, -2));
    if (serialization === 'advanced') {
      const deep = (await worker.deep()) as { a: [{ b: Map<string, Point> }] };
      expect(deep.a[0].b.get('p')).toBeInstanceOf(Point);
      expect(deep.a[0].b.get('p')!.norm()).toBe(5);
    }
  });

  it("rebuilds a custom type inside another's payload, both ways, and in advanced mode a cycle through it", async () => {
    const segment = new Segment(new Point(0, 0), new Point(3, 4));
    const list: unknown[] = [segment];
    const cyclic = serialization === 'advanced';
    if (cyclic) list.push(list);
    const got = await worker.segments(list);
    expect([got.length, got.points, got.cycle]).toEqual([5, true, cyclic]);
    const [back, self] = got.back as [Segment, unknown];
    expect(back).toBeInstanceOf(Segment);
    expect(back.from).toBeInstanceOf(Point);
    if (cyclic) expect(self).toBe(got.back);
    expect(list[0]).toBe(segment);
  });

  it('serializes a handled object shared along many paths once, and it arrives shared', async () => {
    const before = knotSerializations.count;
    // 2^22 paths to the bottom Knot: serialized once per path, the check would not end within the test.
    expect(await worker.knots(knotChain(22))).toEqual({ count: 22, knots: true, shared: true });
    expect(knotSerializations.count - before).toBe(22);
  });

  it('describes a thrown Error of a handled class as any thrown Error, so it arrives without the handler too', async () => {
    const thrown = await worker.fail('thrown').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({ name: 'Fault', message: 'bent', code: 7 });
    const caused = (await worker.fail('cause').catch((e: unknown) => e)) as Error;
    expect(caused.message).toBe('outer');
    expect(caused.cause).toMatchObject({ name: 'Fault', message: 'bent', code: 7 });
    const aggregate = (await worker.fail('errors').catch((e: unknown) => e)) as AggregateError;
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.errors[0]).toMatchObject({ name: 'Fault', message: 'bent', code: 7 });
  });

  it('leaves the caller’s value untouched', async () => {
    const value = { list: [new Point(3, 4)] };
    await worker.norms(value);
    expect(value.list[0]).toBeInstanceOf(Point);
  });

  it('names the handler and the path when a handler throws', async () => {
    let error: unknown;
    try {
      await worker.norms({ deep: [new Exploding()] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('args[0].deep[0]');
    expect((error as Error).message).toMatch(
      /transfer handler 'Exploding' threw in serialize: cannot serialize this/,
    );
    expect(await worker.norms([new Point(0, 1)])).toEqual([1]);
  });

  it('refuses a handled object that a getter makes anew on each read, naming its path', async () => {
    const value = {
      list: [
        {
          get p() {
            return new Point(3, 4);
          },
        },
      ],
    };
    const error = await worker.norms(value).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('args[0].list[0].p');
    expect((error as Error).message).toMatch(
      /transfer handler 'Point' takes this object, but the check found another here: it changed between the check and the encoding/,
    );
    expect(await worker.norms([new Point(0, 1)])).toEqual([1]);
  });

  it('fails only the call whose argument a handler cannot rebuild in the child, naming the handler and the path', async () => {
    const pid = await worker.pid();
    const error = await worker.norms({ b: new Brittle('bad'), p: new Point(3, 4) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toMatch(
      /The arguments of 'norms' cannot be read: args\[0\]\.b: transfer handler 'Brittle' threw in deserialize: cannot rebuild this/,
    );
    expect(await worker.norms([new Point(0, 1)])).toEqual([1]);
    expect(await worker.pid()).toBe(pid);
  });

  it('fails only the call whose result a handler cannot rebuild in the parent, naming the handler and the path', async () => {
    const pid = await worker.pid();
    const answers = await Promise.allSettled([worker.brittle('bad'), worker.brittle('good'), worker.pid()]);
    expect(answers[0].status).toBe('rejected');
    const error = (answers[0] as PromiseRejectedResult).reason as SerializationError;
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.method).toBe('brittle');
    expect(error.message).toMatch(
      /The result of 'brittle' cannot be read: result\.made\[0\]: transfer handler 'Brittle' threw in deserialize: cannot rebuild this/,
    );
    expect(error.path).toBe('result.made[0]');
    expect(answers[1]).toEqual({ status: 'fulfilled', value: { made: [new Brittle('good')] } });
    expect(answers[2]).toEqual({ status: 'fulfilled', value: pid });
  });

  it('rejects in the worker a callback whose argument or answer a handler cannot rebuild', async () => {
    let called = 0;
    const unreadableArgument = await worker.relay(() => called++, 'bad');
    expect(called).toBe(0);
    expect(unreadableArgument.failed).toMatch(/^SerializationError: .*'Brittle' threw in deserialize/);
    const unreadableAnswer = await worker.relay(() => new Brittle('bad'), 'good');
    expect(unreadableAnswer.failed).toMatch(/^SerializationError: .*'Brittle' threw in deserialize/);
    expect(await worker.relay((b) => b.tag, 'good')).toEqual({ answer: 'good' });
  });
});

describe('a deserialize that gives a primitive', () => {
  let worker: GeometryProxy;
  beforeAll(async () => {
    worker = (await procxy(Geometry, module, { serialization: 'advanced' })) as unknown as GeometryProxy;
  });
  afterAll(() => worker?.$terminate());

  /** boxedSample() as it arrives: each box's value in its place, the shared object still one. */
  function expectUnboxed(got: unknown): void {
    // Typed as it arrives: the boxes' values stand where they were.
    const value = got as {
      top: unknown;
      list: unknown[];
      map: Map<unknown, unknown>;
      set: Set<unknown>;
      a: unknown;
      b: unknown;
      nested: unknown;
    };
    expect(value.top).toBe('s');
    expect(value.list.length).toBe(4);
    expect([value.list[0], 1 in value.list, value.list[2]]).toEqual([null, false, undefined]);
    expect(2 in value.list).toBe(true);
    expect(value.list[3]).toEqual({ n: 1 });
    expect([...value.map]).toEqual([
      [2, true],
      ['k', { n: 1 }],
    ]);
    expect([...value.set]).toEqual([3n, 'x']);
    expect(value.a).toBe(value.b);
    expect(value.a).toBe(value.list[3]);
    expect(value.a).toBe(value.map.get('k'));
    expect(value.nested).toBe(4);
  }

  it('puts it in arrays, Map keys and values, Set items and shared objects, in the child', async () => {
    expectUnboxed(await worker.echo(boxedSample()));
  });

  it('puts it there in the parent', async () => {
    expectUnboxed(await worker.boxes());
  });
});

describe('constructor arguments of a handled type', () => {
  it.each(['json', 'advanced'] as const)(
    'are rebuilt once the worker module has registered the handlers (%s mode)',
    async (serialization) => {
      const worker = (await procxy(
        Geometry,
        module,
        { serialization },
        new Point(3, 4),
        new Segment(new Point(0, 0), new Point(1, 1)),
        new Boxed(5),
      )) as unknown as { made(): Promise<unknown[]>; $terminate(): Promise<void> };
      try {
        const [point, segment, boxed] = await worker.made();
        expect(point).toBeInstanceOf(Point);
        expect((point as Point).norm()).toBe(5);
        expect(segment).toBeInstanceOf(Segment);
        expect((segment as Segment).to).toBeInstanceOf(Point);
        expect(boxed).toBe(5);
      } finally {
        await worker.$terminate();
      }
    },
  );

  it('are rebuilt by a generated stub’s child, which imports the worker module first', async () => {
    const worker = await spawnStub<{ made(): Promise<unknown[]>; $terminate(): Promise<void> }>(
      {
        className: 'Geometry',
        source: 'point.mjs',
        child: new URL('./core-fixtures/point-child.mjs', import.meta.url),
        serialization: 'advanced',
        methods: ['made'],
        idempotent: [],
      },
      {},
      [new Point(6, 8)],
    );
    try {
      const [point] = await worker.made();
      expect(point).toBeInstanceOf(Point);
      expect((point as Point).norm()).toBe(10);
    } finally {
      await worker.$terminate();
    }
  });

  it('that the handler cannot rebuild fail the start with SpawnError naming it', async () => {
    const error = await procxy(Geometry, module, { serialization: 'advanced' }, new Brittle('bad')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as Error).message).toMatch(
      /failed to start: The constructor arguments cannot be read: .*transfer handler 'Brittle' threw in deserialize: cannot rebuild this/,
    );
  });

  it('whose handler the worker module never registers fail the start with SpawnError saying what to import', async () => {
    const error = await procxy(
      Echo,
      new URL('./core-fixtures/echo.mjs', import.meta.url),
      { serialization: 'advanced' },
      new Point(1, 1) as never,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as Error).message).toMatch(
      /The constructor arguments cannot be read: No transfer handler named 'Point' is registered in process \d+/,
    );
  });
});

describe('registerTransferHandler', () => {
  it('refuses a second, different handler under a taken name, and accepts the same one again', () => {
    const handler = {
      canHandle: (v: unknown): v is Point => v instanceof Point,
      serialize: () => 0,
      deserialize: () => new Point(0, 0),
    };
    registerTransferHandler('TwiceTheSame', handler);
    expect(() => registerTransferHandler('TwiceTheSame', handler)).not.toThrow();
    expect(() => registerTransferHandler('TwiceTheSame', { ...handler })).toThrow(
      /a different handler is already registered as 'TwiceTheSame'/,
    );
    expect(() => registerTransferHandler('', handler)).toThrow(/non-empty string/);
    expect(() => registerTransferHandler('Broken', { ...handler, serialize: 1 } as never)).toThrow(
      /handler.serialize must be a function/,
    );
  });

  it('a payload the mode cannot carry is a SerializationError at the payload path', async () => {
    class Moment {
      constructor(readonly at: Date) {}
    }
    registerTransferHandler('Moment', {
      canHandle: (v: unknown): v is Moment => v instanceof Moment,
      serialize: (m: Moment) => ({ at: m.at }),
      deserialize: (p: { at: Date }) => new Moment(p.at),
    });
    const worker = await procxy(Geometry, module, { serialization: 'json' });
    try {
      let error: unknown;
      try {
        await (worker as unknown as { norms(v: unknown): Promise<number[]> }).norms({
          m: new Moment(new Date()),
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as SerializationError).path).toBe('args[0].m<Moment>.at');
    } finally {
      await worker.$terminate();
    }
  });
});

describe('a handler that takes its own payload', () => {
  it('is refused at once, naming it, rather than serialized again a thousand levels deep', async () => {
    class Tagged {
      constructor(readonly procxyLoopTag: string) {}
    }
    registerTransferHandler('OwnPayload', {
      canHandle: (v: unknown): v is { procxyLoopTag: string } =>
        typeof v === 'object' && v !== null && 'procxyLoopTag' in v,
      serialize: (t: { procxyLoopTag: string }) => ({ procxyLoopTag: t.procxyLoopTag }),
      deserialize: (p: { procxyLoopTag: string }) => new Tagged(p.procxyLoopTag),
    });
    const worker = (await procxy(Echo, new URL('./core-fixtures/echo.mjs', import.meta.url), {
      serialization: 'advanced',
    })) as unknown as { echo(v: unknown): Promise<unknown>; $terminate(): Promise<void> };
    try {
      const error = await worker.echo({ t: new Tagged('x') }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SerializationError);
      expect(error).toMatchObject({ path: 'args[0].t<OwnPayload>' });
      expect((error as Error).message).toMatch(/transfer handler 'OwnPayload' takes its own payload/);
      expect((error as Error).message.length).toBeLessThan(400);
    } finally {
      await worker.$terminate();
    }
  });
});

describe('a worker that never registered the handler', () => {
  it('fails the call and says which handler to import', async () => {
    const worker = (await procxy(Echo, new URL('./core-fixtures/echo.mjs', import.meta.url), {
      serialization: 'advanced',
    })) as unknown as { echo(v: unknown): Promise<unknown>; $terminate(): Promise<void> };
    try {
      let error: unknown;
      try {
        await worker.echo({ p: new Point(1, 1) });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as Error).message).toMatch(
        /No transfer handler named 'Point' is registered in process \d+: import the module that registers it on both sides/,
      );
      expect(await worker.echo('still serving')).toBe('still serving');
    } finally {
      await worker.$terminate();
    }
  });

  it('aborts the call whose abort reason it cannot read, with a SerializationError for reason, and keeps serving', async () => {
    const worker = await procxy(Binary, new URL('./core-fixtures/binary.mjs', import.meta.url), {
      serialization: 'advanced',
    });
    try {
      const controller = new AbortController();
      const waiting = worker.waitForAbort(controller.signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort({ p: new Point(1, 1) });
      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
      let reason: unknown;
      for (let i = 0; i < 100 && reason === undefined; i++) reason = await worker.lastAbortReason();
      expect(reason).toEqual({
        name: 'SerializationError',
        message: expect.stringMatching(
          /^The reason of the abort cannot be read: reason\.p: No transfer handler named 'Point' is registered/,
        ),
      });
      expect(await worker.echo('still serving')).toBe('still serving');
    } finally {
      await worker.$terminate();
    }
  });

  it('closes the sockets of a call it cannot read', async () => {
    const server = net.createServer({ pauseOnConnect: true }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const ended = once(client, 'end');
    client.resume();
    const worker = await procxy(Handles, new URL('./handle-fixtures/handles.mjs', import.meta.url), {
      supportHandles: true,
    });
    try {
      const [socket] = await accepted;
      const error = await worker
        .describeAll(socket, { p: new Point(1, 1) } as never)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as Error).message).toMatch(
        /The arguments of 'describeAll' cannot be read: args\[1\]\.p: No transfer handler/,
      );
      // Both copies of the connection closed: the parent's once sent, the child's as the call failed.
      await ended;
      expect(await worker.log()).toEqual([]);
    } finally {
      await worker.$terminate();
      client.destroy();
      server.close();
    }
  });
});
