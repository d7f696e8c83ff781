// V8Reader: it reads what V8's serializer writes as V8's reader does, or gives up; it never accepts what V8 refuses.
import * as v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { decodeV8, encodeV8, likelyWide, readByV8, readInJs, writeByV8 } from '../../runtime/v8-codec.js';
import { corpus, randomValues, sameGraph } from './v8-values.js';

/** The corpus values written by V8's serializer in a form V8Reader leaves to V8's reader. */
const leftToV8 = ['a bigint of more than 64 bytes', 'a RegExp', 'an Error', 'boxed primitives'];

const byV8 = (value: unknown) => writeByV8(value, undefined).body;

describe('V8Reader', () => {
  for (const [name, value] of corpus()) {
    const gives = leftToV8.includes(name);
    it(`${gives ? 'leaves to V8' : 'reads'} ${name} as V8 writes it${gives ? '' : ', as V8 reads it'}`, () => {
      const body = byV8(value);
      const read = readInJs(body, []);
      if (gives) {
        expect(read).toBeUndefined();
        expect(sameGraph(decodeV8(body, []), readByV8(body, []))).toBe(true);
        return;
      }
      expect(read).toBeDefined();
      expect(sameGraph(read!.value, readByV8(body, []))).toBe(true);
    });
  }

  it('reads 3000 random values as V8 writes them, as V8 reads them', () => {
    for (const value of randomValues(11, 3000)) {
      const body = byV8(value);
      const read = readInJs(body, []);
      expect(read).toBeDefined();
      expect(sameGraph(read!.value, readByV8(body, []))).toBe(true);
    }
  });

  it('makes an array without holes packed, so that V8 writes it again as a dense one', () => {
    // V8's own reader makes every array holey, which its writer then sends element by element as a sparse one.
    const body = byV8({ list: [1, 'two', [3]] });
    const read = readInJs(body, [])!.value as { list: unknown[] };
    const again = v8.serialize(read.list);
    expect(String.fromCharCode(again[2]!)).toBe('A');
    const byV8Reader = readByV8(body, []) as { list: unknown[] };
    expect(String.fromCharCode(v8.serialize(byV8Reader.list)[2]!)).toBe('a');
  });

  it('reads names that share a slot of its cache each as itself', () => {
    // 10 000 names, more than the cache holds, in records of 10: many share a slot, and push others out.
    const records = Array.from({ length: 1000 }, (_, r) =>
      Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`name-${r}-${i}`, i])),
    );
    const body = byV8([records, records.map((record) => ({ ...record }))]);
    expect(readInJs(body, [])!.value).toEqual([records, records]);
    expect(readInJs(body, [])!.value).toEqual([records, records]);
  });

  it('leaves an object of more than 16 properties to V8, which builds a wide one faster', () => {
    const wide = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`p${i}`, i]));
    expect(readInJs(byV8({ wide: { ...wide } }), [])).toBeUndefined();
    delete wide.p16;
    expect(readInJs(byV8({ wide }), [])!.value).toEqual({ wide });
  });

  it('reads records that follow the names of the one before, or part of them, each as V8 does', () => {
    const records = [
      { a: 1, b: 2 },
      { a: 3, b: 4 },
      { a: 5, bb: 6 },
      { a: 7 },
      { a: 8, b: 9, c: 10 },
      { b: 11, a: 12 },
      { '€': 1, a: 2 },
      { '€': 3, a: 4 },
      { 1: 'one', a: 5 },
      { 1: 'one', a: 6 },
    ];
    const body = byV8([records, { inner: records }]);
    expect(sameGraph(readInJs(body, [])!.value, readByV8(body, []))).toBe(true);
    // {a, b} then {a, b, a}: a name met twice after those the record before had, which V8 refuses.
    const name = (text: string) => [0x22, text.length, ...Buffer.from(text, 'latin1')];
    const twice = Buffer.from([
      ...[0xff, 0x0f, 0x00, 0x41, 0x02],
      ...[0x6f, ...name('a'), 0x49, 0x02, ...name('b'), 0x49, 0x04, 0x7b, 0x02],
      ...[0x6f, ...name('a'), 0x49, 0x02, ...name('b'), 0x49, 0x04, ...name('a'), 0x49, 0x06, 0x7b, 0x03],
      ...[0x24, 0x00, 0x02],
    ]);
    expect(() => readByV8(twice, [])).toThrow();
    expect(readInJs(twice, [])).toBeUndefined();
    // {a, b} then {a, a}: the name met twice is one of those it followed.
    const followed = Buffer.from([
      ...[0xff, 0x0f, 0x00, 0x41, 0x02],
      ...[0x6f, ...name('a'), 0x49, 0x02, ...name('b'), 0x49, 0x04, 0x7b, 0x02],
      ...[0x6f, ...name('a'), 0x49, 0x02, ...name('a'), 0x49, 0x04, 0x7b, 0x02],
      ...[0x24, 0x00, 0x02],
    ]);
    expect(() => readByV8(followed, [])).toThrow();
    expect(readInJs(followed, [])).toBeUndefined();
  });

  it('sends a body of about the length of the last it gave up on for a wide object to V8 at once, but for one in 16', () => {
    const wide = byV8({ wide: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, i])) });
    const narrow = byV8({ narrow: 'x'.repeat(wide.length) });
    expect(readInJs(wide, [])).toBeUndefined();
    const skipped = Array.from({ length: 32 }, () => likelyWide(wide));
    expect(skipped.filter((skip) => !skip)).toHaveLength(2);
    // A body much shorter or longer is tried; one read to the end forgets the wide one.
    expect(likelyWide(wide.subarray(0, wide.length / 2))).toBe(false);
    expect(readInJs(narrow, [])).toBeDefined();
    expect(likelyWide(wide)).toBe(false);
  });

  it('compares a name of 128 bytes or more with the record before it by its whole length', () => {
    // Its length takes two bytes, the first of which is its length's low bits: '\x01' then the name is one byte off.
    const first = `\u0001${'a'.repeat(199)}`;
    const second = `${'a'.repeat(199)}"`;
    for (const value of [[{ [first]: 1 }, { [second]: 'c'.repeat(33) }], { [second]: 'c'.repeat(33) }]) {
      const body = byV8(value);
      expect(sameGraph(decodeV8(body, []), readByV8(body, []))).toBe(true);
    }
  });

  it('keeps in dictionaries thousands of sparse arrays each as long as the rest of their body', () => {
    // Each length in three bytes (V8 takes a longer varint than needed), so each array takes 9 bytes and claims
    // just fewer elements than the bytes left after it: about 570 MB of elements in all, in a 36 KB body.
    const count = 4000;
    const three = (value: number) => [(value & 0x7f) | 0x80, ((value >>> 7) & 0x7f) | 0x80, value >>> 14];
    const parts: number[] = [0xff, 0x0f, 0x00, 0x41, ...three(count)];
    for (let i = 0; i < count; i++)
      parts.push(0x61, ...three(9 * (count - i)), 0x40, 0x00, ...three(9 * (count - i)));
    parts.push(0x24, 0x00, ...three(count));
    const body = Buffer.from(parts);
    const before = process.memoryUsage().heapUsed;
    const read = readInJs(body, [])!.value as unknown[][];
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024);
    expect(read).toHaveLength(count);
    expect(read.map((array) => array.length)).toEqual(
      Array.from({ length: count }, (_, i) => 9 * (count - i)),
    );
  });

  it('defines properties as V8 does where Object.prototype has a setter or a read-only property of the name', () => {
    let set = 0;
    Object.defineProperty(Object.prototype, 'settable', {
      set: () => void set++,
      configurable: true,
    });
    Object.defineProperty(Object.prototype, 'readOnly', { value: 0, writable: false, configurable: true });
    try {
      const read = readInJs(byV8({ settable: 1, readOnly: 2, plain: 3 }), [])!.value as Record<
        string,
        number
      >;
      expect(Object.getOwnPropertyDescriptors(read)).toEqual({
        settable: { value: 1, writable: true, enumerable: true, configurable: true },
        readOnly: { value: 2, writable: true, enumerable: true, configurable: true },
        plain: { value: 3, writable: true, enumerable: true, configurable: true },
      });
      expect(set).toBe(0);
    } finally {
      delete (Object.prototype as Record<string, unknown>).settable;
      delete (Object.prototype as Record<string, unknown>).readOnly;
    }
  });

  it('defines as V8 does the names of Object.prototype in records of one shape, and a name given a setter between two readings', () => {
    const records = JSON.parse('[{"a":1,"__proto__":{"x":1}},{"a":2,"__proto__":{"x":2}}]') as object[];
    const read = readInJs(byV8(records), [])!.value as object[];
    for (const [i, record] of read.entries()) {
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toEqual({ x: i + 1 });
    }
    // The same shape in a later reading, once Object.prototype has a setter of one of its names.
    const body = byV8([
      { id: 1, later: 1 },
      { id: 2, later: 2 },
    ]);
    expect(readInJs(body, [])!.value).toEqual([
      { id: 1, later: 1 },
      { id: 2, later: 2 },
    ]);
    let set = 0;
    Object.defineProperty(Object.prototype, 'later', { set: () => void set++, configurable: true });
    try {
      const again = readInJs(body, [])!.value as object[];
      expect(again.map((record) => Object.getOwnPropertyDescriptor(record, 'later')?.value)).toEqual([1, 2]);
      expect(set).toBe(0);
    } finally {
      delete (Object.prototype as Record<string, unknown>).later;
    }
  });

  it("looks again at the names of Object.prototype after a view is made, which may have run code of the user's", () => {
    // byteOffset is read before the body (is the segment a whole ArrayBuffer?), then while the view is made.
    const { read, reads, set } = readWithSetterAddedAtRead(
      [{ a: 1, x: 'first' }, Buffer.alloc(70_000, 1), { a: 2, x: 'second' }],
      2,
    );
    expect(reads).toBe(2);
    expect(Object.getOwnPropertyDescriptor(read[2], 'x')?.value).toBe('second');
    expect(set).toEqual([]);
  });

  it('looks again at the names of Object.prototype after a view made among the values of a record', () => {
    // Each view inside the body is read twice: the third read makes the second record's.
    const { read, reads, set } = readWithSetterAddedAtRead(
      [
        { v: Buffer.from('one'), x: 'first' },
        { v: Buffer.from('two'), x: 'second' },
      ],
      3,
    );
    expect(reads).toBe(4);
    expect(read.map((record) => Object.getOwnPropertyDescriptor(record, 'x')?.value)).toEqual([
      'first',
      'second',
    ]);
    expect(set).toEqual([]);
  });

  it('leaves arrays to V8 while a prototype of arrays holds an element, whose setter an element store would run', () => {
    let set = 0;
    for (const proto of [Array.prototype, Object.prototype]) {
      Object.defineProperty(proto, '1', {
        set: () => void set++,
        get: () => 'inherited',
        configurable: true,
      });
      try {
        const body = byV8({ list: [1, 2, 3] });
        expect(readInJs(body, [])).toBeUndefined();
        const read = decodeV8(body, []) as { list: unknown[] };
        expect(Object.getOwnPropertyDescriptor(read.list, '1')?.value).toBe(2);
        expect(set).toBe(0);
      } finally {
        delete (proto as unknown as Record<string, unknown>)['1'];
        if (proto === Array.prototype) Array.prototype.length = 0;
      }
    }
    expect(readInJs(byV8({ list: [1, 2, 3] }), [])!.value).toEqual({ list: [1, 2, 3] });
  });

  it('runs none of the code a user put in place of the built-ins it uses, and reads as V8 does', () => {
    let ran = 0;
    const counted = <T extends object>(target: T, name: keyof T & string) => {
      const original = target[name] as (...args: unknown[]) => unknown;
      target[name] = function (this: unknown, ...args: unknown[]) {
        ran++;
        return Reflect.apply(original, this, args);
      } as T[keyof T & string];
      return () => {
        target[name] = original as T[keyof T & string];
      };
    };
    const value = { list: [1, 'two', new Date(3)], map: new Map([[1, { a: 'b' }]]), set: new Set(['x']) };
    const body = byV8(value);
    const restores = [
      counted(Array.prototype, 'push'),
      counted(Map.prototype, 'set'),
      counted(Map.prototype, 'get'),
      counted(Set.prototype, 'add'),
      counted(Buffer.prototype, 'subarray'),
      counted(Function.prototype, 'call'),
    ];
    Object.defineProperty(Object.prototype, 'get', { get: () => void ran++, configurable: true });
    let read: { value: unknown } | undefined;
    try {
      read = readInJs(body, []);
    } finally {
      for (const restore of restores) restore();
      delete (Object.prototype as Record<string, unknown>).get;
    }
    expect(ran).toBe(0);
    expect(sameGraph(read!.value, value)).toBe(true);
  });

  it('gives up on a reference to an object not read yet, which V8 refuses', () => {
    const body = Buffer.from([0xff, 0x0f, 0x00, 0x5e, 0x00]);
    expect(readInJs(body, [])).toBeUndefined();
    expect(() => readByV8(body, [])).toThrow();
  });

  it('leaves a value nested deeper than the sender allows to V8', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1200; i++) deep = [deep];
    const body = byV8(deep);
    expect(readInJs(body, [])).toBeUndefined();
    expect(sameGraph(decodeV8(body, []), deep)).toBe(true);
  });

  it('keeps in a dictionary the elements of sparse arrays longer than their body, taking no memory for the holes', () => {
    // 40 arrays of 32 Mi - 1 elements in under 500 bytes: V8's own reader takes 256 MB for each.
    const length = 2 ** 25 - 1;
    const entry = [0x61, 0xff, 0xff, 0xff, 0x0f, 0x40, 0x00, 0xff, 0xff, 0xff, 0x0f];
    const body = Buffer.from([
      0xff,
      0x0f,
      0x00,
      0x41,
      40,
      ...Array.from({ length: 40 }, () => entry).flat(),
      0x24,
      0x00,
      40,
    ]);
    const before = process.memoryUsage().heapUsed;
    const read = readInJs(body, [])!.value as unknown[][];
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 1024 * 1024);
    expect(read).toHaveLength(40);
    expect(read.every((array) => array.length === length && Object.keys(array).length === 0)).toBe(true);
  });

  it('gives up on every body V8 refuses, and reads any other as V8 does (10 000 corrupted bodies)', () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const bodies = corpus()
      .filter(([name]) => !leftToV8.includes(name))
      .map(([, value]) => byV8(value))
      .filter((body) => body.length < 4096);
    let refused = 0;
    for (let k = 0; k < 10_000; k++) {
      const body = Buffer.from(bodies[k % bodies.length]!);
      const mode = random(3);
      let bytes = body;
      if (mode === 0) bytes = body.subarray(0, random(body.length));
      else for (let n = 1 + random(3); n > 0; n--) body[2 + random(body.length - 2)] = random(256);
      let expected: { value: unknown } | undefined;
      try {
        expected = { value: readByV8(bytes, []) };
      } catch {
        refused++;
      }
      const read = readInJs(bytes, []);
      if (expected === undefined) expect(read).toBeUndefined();
      else if (read !== undefined) expect(sameGraph(read.value, expected.value)).toBe(true);
    }
    // The corruption reaches the reader's checks, not only its header.
    expect(refused).toBeGreaterThan(1000);
  });

  it('gives up on a body nested past the stack, which V8 then refuses', () => {
    const depth = 200_000;
    const body = Buffer.concat([
      Buffer.from([0xff, 0x0f, 0x00]),
      Buffer.from('A\u0001'.repeat(depth), 'latin1'),
      Buffer.from('_', 'latin1'),
      Buffer.from('$\u0000\u0001'.repeat(depth), 'latin1'),
    ]);
    expect(readInJs(body, [])).toBeUndefined();
    expect(() => decodeV8(body, [])).toThrow(RangeError);
  });
});

/**
 * Reads `value` (written by encodeV8) with V8Reader while a byteOffset getter on Buffer.prototype, read as views are
 * made, gives Object.prototype a setter of `x` at its `at`-th read: what was read, how often the getter ran, and
 * what the setter heard.
 */
function readWithSetterAddedAtRead(value: unknown[], at: number) {
  const { body, chunks } = encodeV8(value, undefined, () => {});
  const segments = chunks.map((chunk) => Buffer.from(chunk));
  const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
  const byteOffset = Object.getOwnPropertyDescriptor(typedArrayPrototype, 'byteOffset')!.get!;
  const set: unknown[] = [];
  let reads = 0;
  Object.defineProperty(Buffer.prototype, 'byteOffset', {
    get(this: Buffer) {
      if (++reads === at)
        Object.defineProperty(Object.prototype, 'x', { set: (v) => void set.push(v), configurable: true });
      return byteOffset.call(this);
    },
    configurable: true,
  });
  try {
    const read = readInJs(body, segments)!.value as object[];
    return { read, reads, set };
  } finally {
    delete (Buffer.prototype as unknown as Record<string, unknown>).byteOffset;
    delete (Object.prototype as Record<string, unknown>).x;
  }
}
