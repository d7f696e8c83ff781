// The one-loop check of plain data against the walk it stands in for: the same verdict, or it leaves the value to the walk.

import { describe, expect, it } from 'vitest';
import { inspectArgs, inspectValue, plainDataJsonSafe } from '../../runtime/procxiable.js';
import { registerTransferHandler } from '../../runtime/transfer-handlers.js';

// With a handler registered, inspectValue and inspectArgs always walk (a handler may take any object), so here they
// give the walk's own verdict. This one takes nothing. The walk then tracks every object it visits, which gives the
// same verdict on data; getters, where tracking could tell, are tested on their own.
registerTransferHandler('plain-data-test', {
  canHandle: (value): value is never => false,
  serialize: () => null,
  deserialize: () => null,
});

type Verdict = boolean | 'refused';

function walkVerdict(judge: () => boolean): Verdict {
  try {
    return judge();
  } catch {
    return 'refused';
  }
}

const shared = { n: 1 };
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const nested = (levels: number) => {
  let value: unknown = { leaf: 1 };
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};
const manyShared = Array.from({ length: 5000 }, (_, i) => ({ i, shared }));
const s4Like = {
  map: new Map(
    Array.from({ length: 50 }, (_, i) => [`key-${i}`, { id: i, label: `item ${i}`, weight: i * 1.5 }]),
  ),
  set: new Set(['a', 'b']),
  big: 2n ** 100n,
  when: new Date(0),
  nested: [[1, [2, ['x', [true, null]]]]],
};
class MapOfItsOwn extends Map<string, number> {}

// Values the loop judges itself, with the verdict both must give.
const plainData: [string, unknown, boolean][] = [
  ['a string', 'x', true],
  ['a number', 1.5, true],
  ['minus zero', -0, false],
  ['NaN', Number.NaN, false],
  ['Infinity', Number.POSITIVE_INFINITY, false],
  ['a bigint', 1n, false],
  ['undefined', undefined, false],
  ['null', null, true],
  ['a plain object', { a: 1, b: 'x', c: [true, null] }, true],
  ['an object without a prototype', Object.assign(Object.create(null) as object, { a: 1 }), true],
  ['an undefined property', { a: undefined }, false],
  ['an undefined item', [1, undefined], false],
  // biome-ignore lint/suspicious/noSparseArray: the hole is the case
  ['a hole', [1, , 3], false],
  ['a NaN inside', { n: [Number.NaN] }, false],
  ['a shared object', { a: shared, b: shared }, false],
  ['equal objects that are not one', [{ a: 1 }, { a: 1 }], true],
  ['a cycle', cyclic, false],
  ['a Map', new Map([['k', { v: 1 }]]), false],
  ['a Set', new Set([1, 2]), false],
  ['a Date', new Date(0), false],
  ['32 levels', nested(31), true],
  ['5000 objects that share one', manyShared, false],
  ['an object like S4', s4Like, false],
  ['a long array', { list: Array.from({ length: 500 }, (_, i) => i) }, true],
];

// Values the loop leaves to the walk.
const notPlainData: [string, unknown][] = [
  ['a function', { f: () => 1 }],
  ['a symbol', [Symbol('s')]],
  ['a symbol-keyed property', { [Symbol('k')]: 1 }],
  ['an array with a named property', { a: Object.assign([1], { n: 1 }) }],
  ['a long array with a named property', [Object.assign(new Array(500).fill(0), { n: 1 })]],
  ['an array with a symbol-keyed property', [Object.assign([1], { [Symbol('k')]: 1 })]],
  [
    'a class instance',
    new (class Point {
      x = 1;
    })(),
  ],
  ['a Proxy', { p: new Proxy({}, {}) }],
  ['an array Proxy', new Proxy([], {})],
  ['an Array subclass', new (class List extends Array {})()],
  ['a Map subclass', new MapOfItsOwn([['k', 1]])],
  ['a Buffer', { b: Buffer.from('x') }],
  ['an Error', new Error('e')],
  ['a Promise', Promise.resolve(1)],
  ['40 levels', nested(40)],
];

/** An object of 1000 getters, each answering a new object that points back at it, and how many were read. */
function getterHub(): { hub: Record<string, unknown>; reads: () => number } {
  const hub: Record<string, unknown> = {};
  let reads = 0;
  for (let i = 0; i < 1000; i++) {
    Object.defineProperty(hub, `k${i}`, {
      enumerable: true,
      get() {
        reads++;
        return { back: hub };
      },
    });
  }
  return { hub, reads: () => reads };
}

describe('plainDataJsonSafe', () => {
  it.each(plainData)('judges %s as the walk does', (_, value, jsonSafe) => {
    expect(walkVerdict(() => inspectValue(value, 'advanced', 'v'))).toBe(jsonSafe);
    expect(plainDataJsonSafe([value])).toBe(jsonSafe);
  });

  it.each(notPlainData)('leaves %s to the walk', (_, value) => {
    expect(plainDataJsonSafe([value])).toBeUndefined();
  });

  it("looks at no array's own keys once V8 wrote the value, which wrote them with it", () => {
    const named = { rows: [Object.assign([1, 2], { total: 3 })] };
    expect(plainDataJsonSafe([named])).toBeUndefined();
    expect(plainDataJsonSafe([named], false, true)).toBe(true);
  });

  it('sees an object two arguments share, as the walk of the arguments does', () => {
    for (const args of [[shared, shared], [shared, { n: 1 }], [1, 'x'], [undefined]]) {
      expect(plainDataJsonSafe(args)).toBe(walkVerdict(() => inspectArgs(args, 'advanced')));
    }
  });

  it('leaves an object to the walk when something enumerable was added to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.injected = 1;
    try {
      expect(plainDataJsonSafe([{ a: 1 }])).toBeUndefined();
      expect(plainDataJsonSafe([[1, 2]])).toBe(true);
    } finally {
      delete proto.injected;
    }
  });

  it('reads each getter once, in the order the walk reads them', () => {
    const reads: string[] = [];
    const read = (name: string) => {
      reads.push(name);
      return 1;
    };
    const value = [
      {
        get a() {
          return read('a');
        },
        inner: {
          get b() {
            return read('b');
          },
        },
      },
      {
        get c() {
          return read('c');
        },
      },
    ];
    expect(plainDataJsonSafe([value])).toBe(true);
    expect(reads).toEqual(['a', 'b', 'c']);
  });

  it('leaves a value to the walk when reading it throws', () => {
    const failing = {
      get broken(): number {
        throw new TypeError('no');
      },
    };
    expect(plainDataJsonSafe([failing])).toBeUndefined();
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(plainDataJsonSafe([[revoked.proxy]])).toBeUndefined();
  });

  it('ends on a cycle through an object of many keys, visiting each object once', () => {
    const { hub, reads } = getterHub();
    expect(plainDataJsonSafe([hub])).toBe(false);
    expect(reads()).toBe(1000);
  });
});

// json mode: what JSON carries, which the loop takes (true), and what it leaves to the walk (undefined) to refuse, or
// to accept after telling a shared object from a cycle.
const carriedAsJson: [string, unknown][] = [
  ['a string', 'x'],
  ['minus zero', -0],
  ['null', null],
  ['a plain object', { a: 1, b: 'x', c: [true, null] }],
  ['an object without a prototype', Object.assign(Object.create(null) as object, { a: 1 })],
  ['an undefined property', { a: undefined }],
  ['a shared object', { a: shared, b: shared }],
  ['32 levels', nested(31)],
];
const leftByJson: [string, unknown][] = [
  ['NaN', Number.NaN],
  ['Infinity', { n: Number.NEGATIVE_INFINITY }],
  ['a bigint', [1n]],
  ['undefined', undefined],
  ['an undefined item', [1, undefined]],
  // biome-ignore lint/suspicious/noSparseArray: the hole is the case
  ['a hole', [1, , 3]],
  ['a cycle', cyclic],
  ['a Map', { m: new Map() }],
  ['a Set', new Set([1])],
  ['a Date', { d: new Date(0) }],
  ['5000 objects that share one', manyShared],
  ...notPlainData,
];

describe('plainDataJsonSafe in json mode', () => {
  it.each(carriedAsJson)('takes %s, as the walk does', (_, value) => {
    expect(walkVerdict(() => inspectValue(value, 'json', 'v'))).not.toBe('refused');
    expect(plainDataJsonSafe([value], true)).toBe(true);
  });

  it.each(leftByJson)('leaves %s to the walk', (_, value) => {
    expect(plainDataJsonSafe([value], true)).toBeUndefined();
  });

  it('leaves an undefined argument to the walk, which takes it but not as JSON (JSON writes null for it)', () => {
    expect(plainDataJsonSafe([undefined, { a: 1 }], true)).toBeUndefined();
    expect(inspectArgs([undefined, { a: 1 }], 'json')).toBe(false);
    expect(inspectArgs([1, { a: 1 }], 'json')).toBe(true);
    expect(plainDataJsonSafe([[undefined]], true)).toBeUndefined();
  });

  it('ends on a cycle through an object of many keys at trackDepth, having opened it once per two levels', () => {
    const { hub, reads } = getterHub();
    expect(plainDataJsonSafe([hub], true)).toBeUndefined();
    // Depth first: hub, one of its objects, hub again... until 32 levels; each opening reads its 1000 keys.
    expect(reads()).toBe(17_000);
    expect(walkVerdict(() => inspectValue(hub, 'json', 'v'))).toBe('refused');
  });
});
