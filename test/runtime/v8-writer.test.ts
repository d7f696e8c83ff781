// V8Writer: what it writes V8's own reader reads as it reads what V8's serializer writes, and it keeps nothing alive.

import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { inspectValue, lastFindings } from '../../runtime/procxiable.js';
import { releaseMarks, transfer } from '../../runtime/transfer.js';
import { registerTransferHandler } from '../../runtime/transfer-handlers.js';
import { decodeV8, encodeV8, readByV8, writeByV8, writeInJs } from '../../runtime/v8-codec.js';
import { corpus, randomValues, sameGraph } from './v8-values.js';

const fits = () => {};

/** The corpus values V8Writer leaves to V8's serializer: what it does not write, or writes in a form of its own. */
const leftToV8 = [
  'a bigint of more than 64 bytes',
  'an array with holes',
  'a sparse array',
  'a RegExp',
  'an Error',
  'boxed primitives',
  'a null-prototype object',
  'a class instance',
];

describe('V8Writer', () => {
  for (const [name, value] of corpus()) {
    const gives = leftToV8.includes(name);
    it(`${gives ? 'leaves to V8' : 'writes'} ${name}${gives ? '' : ', which V8 reads back as what V8 itself wrote'}`, () => {
      const written = writeInJs(value, undefined);
      if (gives) {
        expect(written).toBeUndefined();
        return;
      }
      expect(written).toBeDefined();
      expect(written!.table.segments).toEqual([]);
      const read = readByV8(written!.body, []);
      expect(sameGraph(read, readByV8(writeByV8(value, undefined).body, []))).toBe(true);
    });
  }

  it('writes what V8 reads back as the value itself, sharing and cycles kept', () => {
    for (const [name, value] of corpus()) {
      if (leftToV8.includes(name) || name === 'a getter') continue;
      expect([name, sameGraph(readByV8(writeInJs(value, undefined)!.body, []), value)]).toEqual([name, true]);
    }
  });

  it('writes 3000 random values as V8 reads back the values themselves', () => {
    for (const value of randomValues(7, 3000, { holes: false })) {
      const written = writeInJs(value, undefined);
      expect(written).toBeDefined();
      expect(sameGraph(readByV8(written!.body, []), value)).toBe(true);
    }
  });

  it('leaves an object of more than 64 properties to V8, whose writer reads a wide one faster', () => {
    const wide = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, i]));
    expect(writeInJs({ wide }, undefined)).toBeUndefined();
    delete wide.p64;
    expect(readByV8(writeInJs({ wide }, undefined)!.body, [])).toEqual({ wide });
  });

  it('leaves to V8 what is not what its prototype says: arguments, an array of another prototype', () => {
    const args = (function (..._: unknown[]) {
      // biome-ignore lint/complexity/noArguments: an arguments object on purpose
      return arguments;
    })(1, 2);
    expect(writeInJs({ args }, undefined)).toBeUndefined();
    expect(writeInJs([Object.setPrototypeOf([1, 2], Object.prototype)], undefined)).toBeUndefined();
  });

  it('leaves a hole to V8 while a prototype of arrays holds an element, which reading the hole would find', () => {
    Object.defineProperty(Array.prototype, '1', { value: 'inherited', configurable: true, writable: true });
    try {
      // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
      const value = [0, , 2];
      expect(writeInJs(value, undefined)).toBeUndefined();
      const read = decodeV8(encodeV8(value, undefined, fits).body, []) as unknown[];
      expect(Object.hasOwn(read, 1)).toBe(false);
    } finally {
      delete (Array.prototype as unknown as Record<string, unknown>)['1'];
      Array.prototype.length = 0;
    }
  });

  it('takes whether an ArrayBuffer is resizable from the built-in, not from a property of its own', () => {
    const Resizable = ArrayBuffer as unknown as new (
      length: number,
      options: { maxByteLength: number },
    ) => ArrayBuffer;
    const buffer = new Resizable(4, { maxByteLength: 8 });
    Object.defineProperty(buffer, 'resizable', { value: false });
    expect(writeInJs({ buffer }, undefined)).toBeUndefined();
  });

  it('leaves to V8 a value nested deeper than the check lets through', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1200; i++) deep = { deep };
    expect(writeInJs(deep, undefined)).toBeUndefined();
    expect(sameGraph(decodeV8(encodeV8(deep, undefined, fits).body, []), deep)).toBe(true);
  });

  it('runs none of the code a user put in place of the built-ins it uses', () => {
    let ran = 0;
    const originals = {
      push: Array.prototype.push,
      forEach: Map.prototype.forEach,
      setForEach: Set.prototype.forEach,
      call: Function.prototype.call,
      exec: RegExp.prototype.exec,
      slice: String.prototype.slice,
    };
    const counting = (original: (...args: never[]) => unknown) =>
      function (this: unknown, ...args: unknown[]) {
        ran++;
        return Reflect.apply(original, this, args);
      };
    const value = {
      map: new Map([[1, 'long string of more than sixteen characters']]),
      set: new Set([2n ** 70n]),
    };
    Array.prototype.push = counting(originals.push);
    Map.prototype.forEach = counting(originals.forEach);
    Set.prototype.forEach = counting(originals.setForEach);
    Function.prototype.call = counting(originals.call) as typeof Function.prototype.call;
    RegExp.prototype.exec = counting(originals.exec) as typeof RegExp.prototype.exec;
    String.prototype.slice = counting(originals.slice) as typeof String.prototype.slice;
    let written: ReturnType<typeof writeInJs>;
    try {
      written = writeInJs(value, undefined);
    } finally {
      Array.prototype.push = originals.push;
      Map.prototype.forEach = originals.forEach;
      Set.prototype.forEach = originals.setForEach;
      Function.prototype.call = originals.call;
      RegExp.prototype.exec = originals.exec;
      String.prototype.slice = originals.slice;
    }
    expect(ran).toBe(0);
    expect(sameGraph(readByV8(written!.body, []), value)).toBe(true);
  });

  it('reads each property once, through its getter, as V8 does', () => {
    let reads = 0;
    const value = Object.defineProperty({ a: [1] }, 'b', {
      get: () => ++reads,
      enumerable: true,
    });
    const { body } = encodeV8({ v: value }, undefined, fits);
    expect(reads).toBe(1);
    expect(decodeV8(body, [])).toEqual({ v: { a: [1], b: 1 } });
  });

  it('leaves out, as V8 does, a property that a getter read before removed', () => {
    const make = () => {
      const value: Record<string, unknown> = {
        get a() {
          delete value.b;
          return 1;
        },
        b: 2,
        c: undefined,
      };
      const list: unknown[] = [1];
      Object.defineProperty(list, 'p', {
        get() {
          delete (list as unknown as Record<string, unknown>).q;
          return 'p';
        },
        enumerable: true,
        configurable: true,
      });
      Object.assign(list, { q: 'q' });
      return { value, list };
    };
    const ours = readByV8(writeInJs(make(), undefined)!.body, []);
    const theirs = readByV8(writeByV8(make(), undefined).body, []);
    expect(sameGraph(ours, theirs)).toBe(true);
    expect(ours).toEqual({ value: { a: 1, c: undefined }, list: Object.assign([1], { p: 'p' }) });
  });

  it('writes only own properties, as V8 does, while Object.prototype holds enumerable ones', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.p = 'inherited';
    try {
      const make = () => {
        const value: Record<string, unknown> = {
          get a() {
            // An inherited key made own while writing: V8 lists the own keys when it starts, and leaves it out.
            value.p = 'own';
            // Removed before it is reached, while Object.prototype holds the name too (not enumerable).
            Reflect.deleteProperty(value, 'toString');
            return 1;
          },
          toString: 'own',
          b: { p: 'own' },
        };
        return value;
      };
      const ours = readByV8(writeInJs(make(), undefined)!.body, []);
      expect(sameGraph(ours, readByV8(writeByV8(make(), undefined).body, []))).toBe(true);
      expect(Object.keys(ours as object)).toEqual(['a', 'b']);
      expect((ours as { b: object }).b).toEqual({ p: 'own' });
    } finally {
      delete proto.p;
    }
  });

  it('writes as V8 does where a getter moves a property to a prototype, or fills a hole of its array', () => {
    const cases = [
      () => ({
        get a() {
          delete (this as Record<string, unknown>).b;
          (Object.prototype as Record<string, unknown>).b = 'from the prototype';
          return 1;
        },
        b: 2,
      }),
      () => {
        // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
        const array: unknown[] = [{}, 'b', , 'd'];
        array[0] = {
          get x() {
            array[2] = 'filled';
            return 1;
          },
        };
        return array;
      },
    ];
    try {
      for (const make of cases) {
        const ours = writeInJs(make(), undefined);
        delete (Object.prototype as Record<string, unknown>).b;
        const theirs = readByV8(writeByV8(make(), undefined).body, []);
        delete (Object.prototype as Record<string, unknown>).b;
        if (ours !== undefined) expect(sameGraph(readByV8(ours.body, []), theirs)).toBe(true);
      }
    } finally {
      delete (Object.prototype as Record<string, unknown>).b;
    }
  });

  it("throws a getter's error as it is, having read the getter once", () => {
    let reads = 0;
    const failure = new Error('getter failed');
    const value = Object.defineProperty({}, 'b', {
      get: () => {
        reads++;
        throw failure;
      },
      enumerable: true,
    });
    expect(() => encodeV8({ v: value }, undefined, fits)).toThrow(failure);
    expect(reads).toBe(1);
  });

  it('writes a message from inside a getter while another is being written', () => {
    let inner: Buffer | undefined;
    const value = Object.defineProperty({ before: 'x'.repeat(100) }, 'b', {
      get: () => {
        inner = encodeV8({ inner: ['y'.repeat(50), 2] }, undefined, fits).body;
        return 'b';
      },
      enumerable: true,
    });
    const { body } = encodeV8({ outer: value, after: [1, 2, 3] }, undefined, fits);
    expect(decodeV8(body, [])).toEqual({ outer: { before: 'x'.repeat(100), b: 'b' }, after: [1, 2, 3] });
    expect(decodeV8(inner!, [])).toEqual({ inner: ['y'.repeat(50), 2] });
  });

  it('grows past its first memory and gives each body memory of its own', () => {
    const large = { rows: Array.from({ length: 20_000 }, (_, i) => ({ i, text: `row ${i} é €` })) };
    const first = encodeV8(large, undefined, fits).body;
    expect(first.length).toBeGreaterThan(200_000);
    const small = encodeV8({ small: 1 }, undefined, fits).body;
    const again = encodeV8({ other: 'x' }, undefined, fits).body;
    expect(decodeV8(first, [])).toEqual(large);
    expect(decodeV8(small, [])).toEqual({ small: 1 });
    expect(decodeV8(again, [])).toEqual({ other: 'x' });
  });

  it('writes an ArrayBuffer sent out of band as a transferred one, and views of large memory as segments', () => {
    const outOfBand = new Uint8Array(100_000).fill(7).buffer;
    const big = Buffer.alloc(70_000, 9);
    const value = { outOfBand, big, small: Buffer.from('small') };
    const { body, chunks } = encodeV8(
      value,
      { outOfBand: [outOfBand], handled: new Map(), errorParts: 0 },
      fits,
    );
    expect(chunks.map((c) => c.length)).toEqual([100_000, 70_000]);
    // As the frame decoder hands segments over: each in memory of its own.
    const read = decodeV8(
      body,
      chunks.map((c) => Buffer.from(c)),
    ) as typeof value;
    expect(new Uint8Array(read.outOfBand)).toEqual(new Uint8Array(100_000).fill(7));
    expect(read.big).toEqual(big);
    expect(read.small).toEqual(Buffer.from('small'));
  });

  it('writes Maps and Sets inside each other, and a Map whose getter writes another message meanwhile', () => {
    const inner = new Map<unknown, unknown>([['in', new Set([1, new Map([[2, 3]])])]]);
    const nested = {
      m: new Map<unknown, unknown>([
        ['a', inner],
        ['b', new Set(['x', inner])],
      ]),
    };
    let during: Buffer | undefined;
    const value = {
      m: new Map<unknown, unknown>([
        [
          'k',
          {
            get g() {
              // As a getter that makes a call would: another message is written before this one is done.
              during = writeInJs(nested, undefined)!.body;
              return new Set([7, 8, 9, 10]);
            },
          },
        ],
        ['after', [new Map([[1, 2]])]],
      ]),
    };
    const body = writeInJs(value, undefined)!.body;
    expect(readByV8(body, [])).toEqual({
      m: new Map<unknown, unknown>([
        ['k', { g: new Set([7, 8, 9, 10]) }],
        ['after', [new Map([[1, 2]])]],
      ]),
    });
    expect(sameGraph(readByV8(during!, []), nested)).toBe(true);
    // Once both are done, a third writer starts from a clear stack.
    expect(readByV8(writeInJs(nested, undefined)!.body, [])).toEqual(nested);
  });

  it('keeps nothing it wrote alive once the body is written', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const written = (() => {
      const [key, item, member] = [{ key: true }, [1], { member: true }];
      const value = {
        rows: Array.from({ length: 100 }, (_, i) => ({ i })),
        map: new Map([[key, item]]),
        set: new Set([member]),
      };
      encodeV8(value, undefined, fits);
      // The parts of the Map and the Set too, which the writer collects on a stack it keeps for the next one.
      return [value, key, item, member].map((part) => new WeakRef(part));
    })();
    // A WeakRef keeps its target until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(written.map((ref) => ref.deref())).toEqual([undefined, undefined, undefined, undefined]);
  });
});

/** Whether the run-time check passes `value` in advanced mode and finds nothing in it to replace. */
function checkPasses(value: unknown): boolean {
  try {
    inspectValue(value, 'advanced', 'v');
  } catch {
    return false;
  }
  return (lastFindings()?.handled.size ?? 0) === 0;
}

/** Plain objects `levels` deep, around `inner`. */
function nest(levels: number, inner: object = {}): object {
  let value: object = inner;
  for (let i = 1; i < levels; i++) value = { value };
  return value;
}

const detached = new ArrayBuffer(8);
structuredClone(detached, { transfer: [detached] });

/** Values the check refuses, each inside plain data V8Writer writes. */
const refused: [string, unknown][] = [
  ['a symbol-keyed property', { a: 1, [Symbol('k')]: 2 }],
  ['a symbol-keyed property of an array, deep down', nest(40, Object.assign([1], { [Symbol('k')]: 2 }))],
  ['a Map with a property of its own', Object.assign(new Map([[1, 2]]), { note: 'lost' })],
  ['a Set with a symbol-keyed property', Object.assign(new Set([1]), { [Symbol('k')]: 1 })],
  ['a Date with a property of its own', Object.assign(new Date(0), { zone: 'UTC' })],
  [
    'a Map subclass with methods',
    new (class Registry extends Map {
      names() {
        return [...this.keys()];
      }
    })(),
  ],
  [
    'a Date subclass with methods',
    new (class Day extends Date {
      next() {
        return this.getTime() + 86_400_000;
      }
    })(0),
  ],
  ['a function', { f: () => 1 }],
  ['a symbol', [Symbol('s')]],
  ['a detached ArrayBuffer', { detached }],
  ['a value nested more than 1000 levels', nest(1002)],
  ['a Proxy', new Proxy({}, {})],
  ['an Error inside', { e: new Error('x') }],
];

describe('V8Writer.vouched', () => {
  it.each(refused)('is false for a value holding %s, which the check refuses', (_, value) => {
    expect(checkPasses(value)).toBe(false);
    expect(writeInJs({ v: value }, undefined)?.vouched ?? false).toBe(false);
  });

  it('is true only for values the check passes and finds nothing in: the corpus, random values, the refused', () => {
    const values = [
      ...corpus().map(([, value]) => value),
      ...randomValues(11, 2000),
      ...refused.map(([, value]) => value),
    ];
    let vouched = 0;
    for (const value of values) {
      if (writeInJs({ v: value }, undefined)?.vouched !== true) continue;
      vouched++;
      expect(checkPasses(value)).toBe(true);
    }
    expect(vouched).toBeGreaterThan(1000);
  });

  it('is true for plain data: objects, arrays with named properties, Maps, Sets, Dates, bigints, shared parts, cycles', () => {
    const shared = { s: 1 };
    const cycle: Record<string, unknown> = { n: [1n, -0, undefined, null] };
    cycle.self = cycle;
    const value = {
      a: Object.assign([1, 'two'], { named: true }),
      m: new Map<unknown, unknown>([[{ k: shared }, new Set([shared, new Date(0)])]]),
      shared,
      cycle,
      deep: nest(99),
    };
    expect(writeInJs(value, undefined)?.vouched).toBe(true);
    expect(checkPasses(value)).toBe(true);
  });

  it('is false for binary data, which the check looks at in ways the writer does not', () => {
    for (const bytes of [new Uint8Array(4), new DataView(new ArrayBuffer(2)), new ArrayBuffer(3)]) {
      expect(writeInJs({ bytes }, undefined)?.vouched).toBe(false);
    }
  });

  // Last: the handler it registers stays registered (for this file's modules only).
  it('is false where a getter marked a buffer or registered a transfer handler, which the check would find', () => {
    const bytes = new Uint8Array(4);
    const marking = {
      get a() {
        transfer(bytes, [bytes.buffer]);
        return 1;
      },
    };
    try {
      expect(writeInJs(marking, undefined)?.vouched).toBe(false);
    } finally {
      releaseMarks(bytes);
    }
    expect(writeInJs({ a: 1 }, undefined)?.vouched).toBe(true);
    const registering = {
      get a() {
        registerTransferHandler('vouch-test', {
          canHandle: (v): v is { tagged: true } => typeof v === 'object' && v !== null && 'tagged' in v,
          serialize: () => 1,
          deserialize: () => ({ tagged: true }),
        });
        return { tagged: true };
      },
    };
    expect(writeInJs(registering, undefined)?.vouched).toBe(false);
  });
});
