// Values for the tests of V8Reader and V8Writer, and a comparison that also holds them to the same sharing and cycles.
import { isDeepStrictEqual } from 'node:util';

function cyclic(): unknown {
  const node: Record<string, unknown> = { name: 'root' };
  node.self = node;
  node.children = [node, { parent: node }];
  return node;
}

function shared(): unknown {
  const part = { n: 1 };
  const list = [part, part];
  return { a: part, b: [part, list], list, map: new Map([[part, list]]), set: new Set([part, list]) };
}

function holey(): unknown[] {
  // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
  return [1, , 3];
}

function named(): unknown[] {
  const array: unknown[] = [1, 2];
  Object.assign(array, { label: 'x', '': 0 });
  return array;
}

/** Records read as V8's own reader makes them: from an object of a class, a getter and its keys. */
function byGetter(): unknown {
  return Object.defineProperty({ a: 1 }, 'b', { get: () => ({ made: true }), enumerable: true });
}

/** Strings of each kind V8 writes, at every parity of offset, short and long. */
function strings(): string[] {
  const out: string[] = ['', 'a', 'ab', 'é', 'éé', '€', 'a€', '\ud800', 'x\udc00y', '\u00ff\u0100'];
  for (const base of ['latin1 é ÿ ', 'two-byte € ', 'surrogates \ud83d\ude00 \ud800 ']) {
    for (const n of [1, 2, 3, 17, 300]) out.push(base.repeat(n).slice(0, n * 7));
  }
  return out;
}

export function corpus(): [string, unknown][] {
  const date = new Date(Date.UTC(2026, 11, 7, 1, 2, 3, 4));
  return [
    ['primitives', [undefined, null, true, false, 0, -0, 1, -1, 0.5, Number.NaN, Infinity, -Infinity]],
    [
      'integers at the edges of int32',
      [2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 32 - 1, 2 ** 32, 1e300, 5e-324],
    ],
    [
      'bigints',
      [0n, 1n, -1n, 255n, 256n, 2n ** 63n, -(2n ** 64n), 2n ** 64n - 1n, 7n ** 150n, -(3n ** 300n)],
    ],
    ['a bigint of more than 64 bytes', -(2n ** 1000n)],
    ['strings', strings()],
    [
      'strings as keys',
      strings().flatMap((_, i, all) =>
        i % 8 === 0 ? [Object.fromEntries(all.slice(i, i + 8).map((k, j) => [k, j]))] : [],
      ),
    ],
    ['a plain object', { a: 1, b: 'two', c: [3], d: { e: null } }],
    [
      'index keys',
      { 2: 'two', 1: 'one', a: 'a', 4294967295: 'not an index', '-1': 'minus', '01': 'zero-one' },
    ],
    [
      'names of Object.prototype',
      JSON.parse('{"__proto__":{"x":1},"constructor":1,"toString":"s","valueOf":2}'),
    ],
    ['an empty object, an empty array', [{}, []]],
    ['an array with holes', holey()],
    ['an array with named properties', named()],
    ['an array of undefined', [undefined, undefined]],
    ['a long array', Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? i : `s${i}`))],
    [
      'a long array with a hole',
      Object.assign(
        Array.from({ length: 3000 }, (_, i) => i),
        { 1500: undefined },
      ),
    ],
    ['a sparse array', Object.assign(new Array(1_000_000), { 5: 'five', 999999: 'last' })],
    [
      'a Map',
      new Map<unknown, unknown>([
        ['k', 1],
        [2, { v: [1] }],
        [{ key: true }, new Set([1])],
        [NaN, -0],
      ]),
    ],
    ['a Set', new Set<unknown>([1, 'two', { three: 3 }, [4], -0])],
    ['Dates', [date, new Date(Number.NaN), new Date(8.64e15), new Date(-8.64e15)]],
    ['shared parts', shared()],
    ['a cycle', cyclic()],
    ['a getter', byGetter()],
    [
      'binary data',
      {
        bytes: Buffer.from('bytes'),
        u16: new Uint16Array([1, 2, 3]),
        view: new DataView(new ArrayBuffer(4)),
      },
    ],
    ['an ArrayBuffer', { buffer: new Uint8Array([1, 2, 3]).buffer, empty: new ArrayBuffer(0) }],
    ['a RegExp', { re: /a+b/giu, s: 'x' }],
    ['an Error', new RangeError('out')],
    ['boxed primitives', [Object(1), Object('s'), Object(true), Object(2n)]],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
    [
      'a class instance',
      new (class Point {
        x = 1;
        y = 2;
      })(),
    ],
    [
      'records',
      {
        map: new Map(
          Array.from({ length: 300 }, (_, i) => [`key-${i}`, { id: i, label: `item ${i}`, w: i * 1.5 }]),
        ),
        when: date,
        big: 2n ** 100n,
      },
    ],
  ];
}

/**
 * Whether `a` and `b` are the same value: primitives by Object.is (NaN, -0), objects of the same prototype with the
 * same own enumerable keys in the same order (so the same holes), Dates by time (an invalid one too), binary data by
 * bytes, Maps and Sets entry by entry; and whether they share their parts alike: where one holds the same object
 * twice, or a cycle, the other does too, at the same places.
 */
export function sameGraph(a: unknown, b: unknown): boolean {
  const there = new Map<object, object>();
  const back = new Map<object, object>();
  const walk = (x: unknown, y: unknown): boolean => {
    if (typeof x !== 'object' || x === null || typeof y !== 'object' || y === null) return Object.is(x, y);
    if (there.has(x) || back.has(y)) return there.get(x) === y && back.get(y) === x;
    there.set(x, y);
    back.set(y, x);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    if (x instanceof Date) return Object.is(x.getTime(), (y as Date).getTime());
    if (ArrayBuffer.isView(x) || x instanceof ArrayBuffer) {
      const bytes = (v: object) =>
        ArrayBuffer.isView(v)
          ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
          : new Uint8Array(v as ArrayBuffer);
      return Buffer.compare(bytes(x), bytes(y)) === 0;
    }
    if (x instanceof Map) {
      const ys = [...(y as Map<unknown, unknown>)];
      return x.size === ys.length && [...x].every(([k, v], i) => walk(k, ys[i]![0]) && walk(v, ys[i]![1]));
    }
    if (x instanceof Set) {
      const ys = [...(y as Set<unknown>)];
      return x.size === ys.length && [...x].every((v, i) => walk(v, ys[i]));
    }
    if (Array.isArray(x) && x.length !== (y as unknown[]).length) return false;
    const keys = Object.keys(x);
    if (!isDeepStrictEqual(keys, Object.keys(y))) return false;
    return keys.every((k) => walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
  };
  return walk(a, b);
}

/**
 * Random values of what V8Writer and V8Reader take (primitives of every kind, objects with odd names, arrays with
 * holes and names, Maps, Sets, Dates, shared parts and cycles), deterministic from `seed`.
 */
export function randomValues(seed: number, count: number, { holes = true } = {}): unknown[] {
  let state = seed >>> 0 || 1;
  const random = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const pick = <T>(items: readonly T[]): T => items[random(items.length)]!;
  const names = [
    'a',
    'b',
    '__proto__',
    'constructor',
    '0',
    '7',
    '-1',
    '01',
    'é',
    '€',
    '\ud800',
    'x'.repeat(40),
    '',
  ];
  const primitives: unknown[] = [
    undefined,
    null,
    true,
    false,
    0,
    -0,
    1,
    -1,
    2 ** 31,
    -(2 ** 31),
    0.1,
    Number.NaN,
    -Infinity,
    0n,
    -5n,
    2n ** 70n,
    '',
    'text',
    'é',
    '€uro',
    '\udc00',
    'long '.repeat(20),
  ];
  const made: object[] = [];
  const value = (depth: number): unknown => {
    const kind = depth > 4 ? 0 : random(8);
    if (kind === 0 || kind === 1) return kind === 0 ? pick(primitives) : random(1_000_000) - 500_000;
    if (kind === 2 && made.length > 0) return pick(made);
    let object: object;
    if (kind === 3) {
      const array: unknown[] = [];
      made.push(array);
      const length = random(6);
      for (let i = 0; i < length; i++) if (!holes || random(5) !== 0) array[i] = value(depth + 1);
      array.length = length;
      if (random(6) === 0)
        Object.defineProperty(array, pick(['n', 'é', '']), {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      object = array;
    } else if (kind === 4) {
      const map = new Map<unknown, unknown>();
      made.push(map);
      for (let i = random(4); i > 0; i--) map.set(value(depth + 1), value(depth + 1));
      object = map;
    } else if (kind === 5) {
      const set = new Set<unknown>();
      made.push(set);
      for (let i = random(4); i > 0; i--) set.add(value(depth + 1));
      object = set;
    } else if (kind === 6) {
      object = new Date(random(2) === 0 ? Number.NaN : random(2 ** 31) * 1000);
      made.push(object);
    } else {
      const record: Record<string, unknown> = {};
      made.push(record);
      for (let i = random(5); i > 0; i--) {
        Object.defineProperty(record, pick(names), {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      object = record;
    }
    return object;
  };
  return Array.from({ length: count }, () => {
    made.length = 0;
    return value(0);
  });
}
