// V8Writer: what it writes V8's own reader reads as it reads what V8's serializer writes, and it keeps nothing alive.

import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decodeV8, encodeV8, readByV8, writeByV8, writeInJs } from '../../runtime/v8-codec.js';
import { corpus, randomValues, sameGraph } from './v8-values.js';

const fits = () => {};

/** The corpus values V8Writer leaves to V8's serializer: what it does not write, or writes in a form of its own. */
const leftToV8 = [
  'a bigint of more than 64 bytes',
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
    for (const value of randomValues(7, 3000)) {
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

  it('keeps nothing it wrote alive once the body is written', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const written = (() => {
      const value = { rows: Array.from({ length: 100 }, (_, i) => ({ i })), map: new Map([[{}, [1]]]) };
      encodeV8(value, undefined, fits);
      return new WeakRef(value);
    })();
    // A WeakRef keeps its target until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(written.deref()).toBeUndefined();
  });
});
