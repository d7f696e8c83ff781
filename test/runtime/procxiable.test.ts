// isProcxiable and validateProcxiable: what each mode accepts, and errors that name the path.

import { isProcxiable, SerializationError, validateProcxiable } from 'procxy';
import { describe, expect, it } from 'vitest';
import {
  inspectArgs,
  inspectArgsOrDefer,
  inspectValue,
  inspectValueOrDefer,
  lastFindings,
} from '../../runtime/procxiable.js';
import { transfer } from '../../runtime/transfer.js';

class WithMethods {
  x = 1;
  m() {
    return this.x;
  }
}
class FieldsOnly {
  x = 1;
}

/** What validateProcxiable threw for `value`, or undefined. */
function refusalOf(value: unknown, mode: 'json' | 'advanced', context: string): unknown {
  try {
    validateProcxiable(value, mode, context);
  } catch (error) {
    return error;
  }
  return undefined;
}

/** `value` with a toJSON that JSON.stringify would call, not enumerable (so no walk of its keys meets it). */
function withToJson<T extends object>(value: T): T {
  return Object.defineProperty(value, 'toJSON', { value: () => 'replaced', enumerable: false });
}

// The tests compile without the WebAssembly declarations, as the runtime does.
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } })
  .WebAssembly;

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

describe('json mode', () => {
  it.each([
    ['a string', 'x'],
    ['a number', 1.5],
    ['-0', -0],
    ['null', null],
    ['nested plain data', { a: [1, 'two', { three: true }], b: null }],
    ['an optional property left undefined', { a: 1, b: undefined }],
    ['a null-prototype object', Object.assign(Object.create(null), { a: 1 })],
    ['a toJSON that is data, not a method', JSON.parse('{"toJSON": "v1", "body": "b"}')],
    ['a __proto__ key parsed from JSON', JSON.parse('{"__proto__": {"polluted": 1}}')],
  ])('accepts %s', (_, value) => {
    expect(isProcxiable(value, 'json')).toBe(true);
  });

  it.each([
    ['a Date', { when: new Date() }, 'args[0].when', /a Date becomes a string/],
    ['a Map', [new Map()], 'args[0][0]', /a Map becomes \{\}/],
    ['a Set', { s: new Set() }, 'args[0].s', /a Set/],
    ['a bigint', { n: 1n }, 'args[0].n', /a bigint is not JSON/],
    ['NaN', { n: Number.NaN }, 'args[0].n', /NaN becomes null/],
    ['Infinity', [Infinity], 'args[0][0]', /Infinity becomes null/],
    ['a Buffer', { b: Buffer.from('x') }, 'args[0].b', /binary data \(Buffer\)/],
    ['a function', { onData: () => {} }, 'args[0].onData', /a function cannot cross/],
    ['a symbol', { s: Symbol('x') }, 'args[0].s', /a symbol/],
    ['undefined in an array', [1, undefined], 'args[0][1]', /undefined inside an array/],
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    ['a hole in an array', [1, , 3], 'args[0][1]', /a hole inside an array/],
    ['a class instance', { c: new FieldsOnly() }, 'args[0].c', /an instance of FieldsOnly loses its class/],
    ['a cycle', cyclic, 'args[0].self', /a cycle/],
    ['an Error', { e: new Error('x') }, 'args[0].e', /an Error becomes \{\}/],
    ['a symbol-keyed property', { [Symbol('k')]: 1 }, 'args[0]', /symbol-keyed property/],
    [
      'a named property of an array',
      { a: Object.assign([1], { total: 1 }) },
      'args[0].a.total',
      /named property/,
    ],
    ['a match result', 'abc'.match(/b/), 'args[0].index', /a named property of an array is dropped/],
    [
      'a named property of a long array',
      Object.assign(new Array(500).fill(0), { n: 1 }),
      'args[0].n',
      /named/,
    ],
    [
      'a symbol-keyed property of an array',
      Object.assign([1], { [Symbol('k')]: 1 }),
      'args[0]',
      /symbol-keyed/,
    ],
    ['a key that needs quoting', { 'a b': new Date() }, 'args[0]["a b"]', /Date/],
    ['a toJSON of its own, not enumerable', { u: withToJson({ a: 1 }) }, 'args[0].u', /toJSON/],
    ['an array with a toJSON', [withToJson([1, 2])], 'args[0][0]', /toJSON/],
    [
      'an object that inherits data from another',
      { o: Object.create({ retries: 3 }) },
      'args[0].o',
      /inherits properties \(retries\)/,
    ],
  ])('refuses %s, naming the path', (_, value, path, message) => {
    expect(isProcxiable(value, 'json')).toBe(false);
    const error = refusalOf(value, 'json', 'args[0]');
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe(path);
    expect((error as SerializationError).code).toBe('PROCXY_SERIALIZATION');
    expect((error as SerializationError).message).toMatch(message);
    expect((error as SerializationError).message.startsWith(`${path}: `)).toBe(true);
  });
});

describe('advanced mode', () => {
  it.each([
    ['bigint', 10n],
    ['Date', new Date()],
    ['Map with nested values', new Map([[1, { a: new Set([2n]) }]])],
    ['RegExp', /x/g],
    ['Buffer', Buffer.from('x')],
    ['every typed array', [new Uint8Array(1), new Float64Array(1), new BigInt64Array(1)]],
    ['ArrayBuffer and DataView', [new ArrayBuffer(4), new DataView(new ArrayBuffer(4))]],
    ['an Error', new TypeError('x')],
    ['a cycle', cyclic],
    ['undefined in an array', [undefined]],
    ['an instance without methods', new FieldsOnly()],
    ['a match result', 'abc'.match(/b/)],
    ['boxed primitives', [new Number(1), new String('abc'), new Boolean(false), Object(2n)]],
    ['a toJSON that is not enumerable', withToJson({ a: 1 })],
  ])('accepts %s', (_, value) => {
    expect(isProcxiable(value, 'advanced')).toBe(true);
  });

  it('sends a value with a toJSON with V8, which writes its data (JSON would write what toJSON returns)', () => {
    for (const value of [withToJson({ a: 1 }), [withToJson([1])], { deep: withToJson({ b: 2 }) }]) {
      expect(inspectValue(value, 'advanced', 'v')).toBe(false);
    }
  });

  it("takes an array's named properties, short or long, as values V8 carries and JSON does not", () => {
    expect(inspectValue([1, 2], 'advanced', 'v')).toBe(true);
    expect(inspectValue(Object.assign([1, 2], { n: 1 }), 'advanced', 'v')).toBe(false);
    expect(inspectValue(new Array(500).fill(0), 'advanced', 'v')).toBe(true);
    expect(inspectValue(Object.assign(new Array(500).fill(0), { n: 1 }), 'advanced', 'v')).toBe(false);
    // Keys that look like indices but are not ones.
    for (const key of ['01', '-1', '1.5', '4294967295']) {
      expect(inspectValue(Object.assign([1], { [key]: 1 }), 'advanced', 'v')).toBe(false);
    }
  });

  it.each([
    ['a function', { f: () => {} }, 'v.f', /a function/],
    ['a symbol', [Symbol('x')], 'v[0]', /a symbol/],
    ['a Promise', { p: Promise.resolve() }, 'v.p', /a Promise cannot cross/],
    ['a WeakMap', { w: new WeakMap() }, 'v.w', /a WeakMap cannot cross/],
    ['a WeakSet', { w: new WeakSet() }, 'v.w', /a WeakSet/],
    ['a SharedArrayBuffer', { s: new SharedArrayBuffer(8) }, 'v.s', /SharedArrayBuffer/],
    [
      'a view over shared memory',
      { s: new Uint8Array(new SharedArrayBuffer(8)) },
      'v.s',
      /SharedArrayBuffer/,
    ],
    ['a class instance with methods', { c: new WithMethods() }, 'v.c', /WithMethods has methods/],
    ['a function inside a Map', new Map([['k', () => 1]]), 'v.<value 0>', /a function/],
    ['a function as a named property of an array', Object.assign([1], { f: () => 1 }), 'v.f', /a function/],
    ['a symbol-keyed property of an array', Object.assign([1], { [Symbol('k')]: 1 }), 'v', /symbol-keyed/],
    ['a Symbol object', { s: Object(Symbol('x')) }, 'v.s', /a Symbol object cannot cross/],
    [
      'a WebAssembly.Module',
      { m: new wasm.Module(Buffer.from('0061736d01000000', 'hex')) },
      'v.m',
      /WebAssembly.Module cannot cross/,
    ],
    [
      'an object that inherits data from another',
      [Object.create({ retries: 3, verbose: false })],
      'v[0]',
      /inherits properties \(retries\)/,
    ],
    [
      'a boxed primitive with a property of its own',
      { n: Object.assign(new Number(42), { unit: 'ms' }) },
      'v.n',
      /a Number object with a property of its own \(unit\)/,
    ],
    [
      'a String object with a property beside its characters',
      { s: Object.assign(new String('abc'), { x: 1 }) },
      'v.s',
      /property of its own \(x\)/,
    ],
    [
      'a long String object, which it does not walk key by key',
      { s: new String('x'.repeat(10_000_000)) },
      'v.s',
      /a String object of more than 4096 characters/,
    ],
    [
      'a RegExp whose lastIndex moved',
      { r: Object.assign(/x/g, { lastIndex: 5 }) },
      'v.r',
      /lastIndex \(5\)/,
    ],
  ])('refuses %s, naming the path', (_, value, path, message) => {
    expect(isProcxiable(value, 'advanced')).toBe(false);
    expect(() => validateProcxiable(value, 'advanced', 'v')).toThrow(message);
    try {
      validateProcxiable(value, 'advanced', 'v');
    } catch (e) {
      expect((e as SerializationError).path).toBe(path);
    }
  });

  it('refuses what it meets first, before a later getter runs or changes what it already passed', () => {
    let ran = false;
    const later = {
      get g(): number {
        ran = true;
        throw new Error('boom');
      },
    };
    expect(() => inspectValue([{ f: () => 1 }, later], 'advanced', 'v')).toThrow(/^v\[0\]\.f: a function/);
    expect(ran).toBe(false);
    // A getter that adds a function to an object visited after it.
    const sibling: Record<string, unknown> = {};
    const adds = {
      get x() {
        sibling.f = () => 1;
        return 1;
      },
    };
    expect(() => inspectValue([adds, sibling], 'advanced', 'v')).toThrow(/^v\[1\]\.f: a function/);
  });

  it('refuses a value nested deeper than it can walk', () => {
    let deep: unknown[] = [];
    const root = deep;
    for (let i = 0; i < 2000; i++) {
      const next: unknown[] = [];
      deep.push(next);
      deep = next;
    }
    expect(() => validateProcxiable(root, 'advanced', 'v')).toThrow(/nested more than 1000 levels/);
  });
});

describe('subclasses of built-ins', () => {
  // V8 writes them as the built-in: a subclass that adds methods would lose them.
  class TaggedMap<K, V> extends Map<K, V> {}
  class QuietMap<K, V> extends Map<K, V> {
    override forEach(): void {}
  }
  class QuietSet<T> extends Set<T> {
    override values(): SetIterator<T> {
      return new Set<T>().values();
    }
  }
  class Stamp extends Date {
    label(): string {
      return this.toISOString();
    }
  }
  class Bytes extends Uint8Array {
    get hex(): string {
      return Buffer.from(this).toString('hex');
    }
  }

  it('carries one that adds no methods as the built-in, entries checked', () => {
    expect(isProcxiable(new TaggedMap([['k', 1]]), 'advanced')).toBe(true);
    expect(() => validateProcxiable(new TaggedMap([['k', () => 1]]), 'advanced', 'v')).toThrow(
      /v\.<value 0>: a function/,
    );
    expect(isProcxiable({ b: Buffer.from('x') }, 'advanced')).toBe(true);
  });

  it('refuses one that adds methods or accessors, naming the built-in it would arrive as', () => {
    expect(() => validateProcxiable(new QuietMap(), 'advanced', 'v')).toThrow(
      /^v: an instance of QuietMap \(a Map subclass\) has methods, which cannot cross the process boundary: it would arrive as a Map/,
    );
    expect(() => validateProcxiable({ deep: [new QuietSet()] }, 'advanced', 'v')).toThrow(
      /^v\.deep\[0\]: an instance of QuietSet \(a Set subclass\)/,
    );
    expect(isProcxiable(new Stamp(0), 'advanced')).toBe(false);
    expect(isProcxiable(new Bytes(2), 'advanced')).toBe(false);
    expect(inspectArgs([new TaggedMap()], 'advanced')).toBe(false);
  });

  it('refuses a Map, Set, Date or RegExp given a property of its own, which V8 does not write', () => {
    const at = Object.assign(new Date(0), { tag: 'x' });
    expect(() => validateProcxiable({ at }, 'advanced', 'args[0]')).toThrow(
      /^args\[0\]\.at: a Date with a property of its own \(tag\) loses it/,
    );
    // Deep in plain data too, where the quick check hands over to the walk.
    const tagged = [new Map([[1, 2]]), Object.assign(new Set([1]), { label: 'l' })];
    expect(() => validateProcxiable({ tagged }, 'advanced', 'v')).toThrow(
      /^v\.tagged\[1\]: a Set with a property/,
    );
    class Labelled extends Map<string, number> {
      label = 'kept?';
    }
    expect(() => validateProcxiable(new Labelled(), 'advanced', 'v')).toThrow(
      /^v: a Map with a property of its own \(label\)/,
    );
    expect(isProcxiable(Object.assign(/x/g, { note: 1 }), 'advanced')).toBe(false);
    // Its own non-enumerable lastIndex is the RegExp's: carried only as 0, what V8 gives it back.
    const sticky = /x/y;
    expect(isProcxiable([sticky, new Date(0), new Set(), new Map()], 'advanced')).toBe(true);
    sticky.lastIndex = 1;
    expect(isProcxiable(sticky, 'advanced')).toBe(false);
  });

  it('refuses binary data given a property of its own, short or long, which V8 does not write either', () => {
    expect(() =>
      validateProcxiable({ b: Object.assign(Buffer.from('x'), { tag: 1 }) }, 'advanced', 'v'),
    ).toThrow(/^v\.b: a Buffer with a property of its own \(tag\) loses it/);
    const long = Object.assign(new Float64Array(100_000), { unit: 'ms' });
    expect(() => validateProcxiable([long], 'advanced', 'v')).toThrow(
      /^v\[0\]: a Float64Array with .* \(unit\)/,
    );
    class Tagged extends Uint8Array {
      tag = 'kept?';
    }
    expect(() => validateProcxiable(new Tagged(4), 'advanced', 'v')).toThrow(/^v: a Tagged with .* \(tag\)/);
    const view = Object.assign(new DataView(new ArrayBuffer(8)), { at: 0 });
    expect(() => validateProcxiable(view, 'advanced', 'v')).toThrow(/^v: a DataView with .* \(at\)/);
    const memory = Object.assign(new ArrayBuffer(8), { owner: 'x' });
    expect(() => validateProcxiable(memory, 'advanced', 'v')).toThrow(/^v: an ArrayBuffer with .* \(owner\)/);
    const anonymous = new (class extends Uint16Array {
      unit = 'px';
    })(2);
    expect(() => validateProcxiable(anonymous, 'advanced', 'v')).toThrow(/^v: an anonymous class with/);
    const marked = Object.assign(new Float64Array(1 << 24), { [Symbol('unit')]: 'ms' });
    expect(() => validateProcxiable({ marked }, 'advanced', 'v')).toThrow(
      /^v\.marked: a symbol-keyed property/,
    );
    expect(isProcxiable(Object.assign(new Map(), { [Symbol('k')]: 1 }), 'advanced')).toBe(false);
    // Without: a long Buffer is not read element by element to tell.
    expect(
      isProcxiable(
        [Buffer.alloc(1 << 20), new Uint8Array(300), new DataView(new ArrayBuffer(1))],
        'advanced',
      ),
    ).toBe(true);
  });
});

describe('errors as values', () => {
  it('refuses an Error whose cause chain loops: it would have to describe itself', () => {
    const error = new Error('loop');
    error.cause = new Error('back', { cause: error });
    expect(() => validateProcxiable({ error }, 'advanced', 'v')).toThrow(
      /^v\.error\.cause\.cause: it holds, through an Error/,
    );
  });

  it('refuses Errors with more parts than one message may describe', () => {
    const errors = Array.from({ length: 60_000 }, (_, i) => Object.assign(new Error(`e${i}`), { i }));
    expect(() => validateProcxiable({ errors }, 'advanced', 'v')).toThrow(/more than 100000 parts/);
    expect(isProcxiable(errors.slice(0, 40_000), 'advanced')).toBe(true);
  });
});

describe('large values', () => {
  const behindMap = (value: unknown) => ({ m: new Map([['k', value]]) });

  it('accepts a cycle longer than the levels it walks untracked', () => {
    const head: Record<string, unknown> = {};
    let node = head;
    for (let i = 0; i < 100; i++) {
      const next: Record<string, unknown> = {};
      node.next = next;
      node = next;
    }
    node.next = head;
    expect(isProcxiable(behindMap(head), 'advanced')).toBe(true);
  });

  it('walks a value whose parts are shared at every level once each, not once per path', () => {
    let shared: unknown = { leaf: 1 };
    for (let i = 0; i < 60; i++) shared = [shared, shared];
    expect(isProcxiable(behindMap(shared), 'advanced')).toBe(true);
  });

  it('a shared object makes a value unsafe for JSON, which would copy it', () => {
    const x = { n: 1 };
    expect(inspectValue({ a: x, b: x }, 'advanced', 'v')).toBe(false);
    expect(inspectValue({ a: { n: 1 }, b: { n: 1 } }, 'advanced', 'v')).toBe(true);
    // Across the arguments of one call too.
    expect(inspectArgs([x, x], 'advanced')).toBe(false);
    expect(inspectArgs([x, { n: 1 }], 'advanced')).toBe(true);
  });

  it('names the key of a refused value in an object of many keys', () => {
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) many[`k${i}`] = i;
    many['odd key'] = { f: () => {} };
    expect(() => validateProcxiable(many, 'advanced', 'v')).toThrow(/^v\["odd key"\]\.f: a function/);
  });

  it('reads only own keys even when something enumerable was added to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.injected = () => 'not data';
    try {
      expect(isProcxiable({ a: 1, b: { c: 2 } }, 'advanced')).toBe(true);
      expect(() => validateProcxiable({ a: { f: Symbol('x') } }, 'json', 'v')).toThrow(/^v\.a\.f: a symbol/);
    } finally {
      delete proto.injected;
    }
  });

  it('gives up on a large value only when nothing must be found in it first', () => {
    const large = Array.from({ length: 600 }, (_, i) => ({ i }));
    expect(inspectValueOrDefer(large, 'advanced', 'v')).toBeUndefined();
    expect(inspectArgsOrDefer([large], 'json')).toBeUndefined();
    expect(inspectValueOrDefer(large.slice(0, 10), 'advanced', 'v')).toBe(true);
    // A value that is large only deep down is walked until it proves large; what is refused on the way is reported.
    let chain: Record<string, unknown> = { end: true };
    for (let i = 0; i < 600; i++) chain = { next: chain };
    expect(inspectValueOrDefer(chain, 'advanced', 'v')).toBeUndefined();
    expect(() => inspectValueOrDefer({ f: () => 1, chain }, 'advanced', 'v')).toThrow(/^v\.f: a function/);
    // In json mode the codec does not depend on the walk: every object is left to the transport, which judges its
    // size by the encoded frame; primitives are walked at once.
    expect(inspectArgsOrDefer([{ a: 1 }], 'json')).toBeUndefined();
    expect(inspectValueOrDefer([1], 'json', 'v')).toBeUndefined();
    expect(inspectArgsOrDefer([1, 'x', null], 'json')).toBe(true);
    expect(inspectArgsOrDefer([1, undefined], 'json')).toBe(false);
    // A Proxy is refused before anything runs its traps.
    let trapped = false;
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          trapped = true;
          return [];
        },
      },
    );
    expect(() => inspectArgsOrDefer([proxy], 'json')).toThrow(/^args\[0\]: a Proxy cannot be serialized/);
    expect(trapped).toBe(false);
    const bytes = new ArrayBuffer(8);
    transfer(null, [bytes]);
    // A marked buffer may be anywhere in the value: it must be found before encoding.
    expect(inspectValueOrDefer(large, 'advanced', 'v')).toBe(true);
    expect(inspectValueOrDefer([bytes, large], 'advanced', 'v')).toBe(false);
    expect(lastFindings()?.outOfBand).toEqual([bytes]);
  });
});

// Each of these looped over every index of a length V8 writes in its sparse format: 2^32 - 1 of them took minutes.
describe('sparse arrays', () => {
  /** An array of length 2^32 - 1 holding `items` at their indices. */
  const sparse = (items: Record<number, unknown>) => Object.assign(new Array<unknown>(2 ** 32 - 1), items);

  it('are checked at the cost of the elements they hold, whatever their length', () => {
    const value = { list: sparse({ 5: 'x', 4e9: { deep: [1] } }) };
    expect(inspectValue(value, 'advanced', 'v')).toBe(false);
    expect(inspectValue(value, 'advanced', 'v', true)).toBe(false);
    expect(inspectArgs([value, sparse({})], 'advanced')).toBe(false);
    expect(refusalOf(value, 'json', 'v')).toMatchObject({
      path: 'v.list[0]',
      message: /a hole inside an array/,
    });
  });

  it('refuses what an element far past the holes holds, naming its index', () => {
    const value = { list: sparse({ 5: 'x', 1e9: { retry: () => 1 } }) };
    expect(refusalOf(value, 'advanced', 'v')).toMatchObject({ path: 'v.list[1000000000].retry' });
    expect(refusalOf(value, 'advanced', 'v')).toBeInstanceOf(SerializationError);
  });

  it('checks the named keys of a sparse array too', () => {
    const list = Object.assign(sparse({ 3: 1 }), { total: 1 });
    expect(inspectValue(list, 'advanced', 'v')).toBe(false);
    Object.assign(list, { retry: () => 1 });
    expect(refusalOf(list, 'advanced', 'v')).toMatchObject({ path: 'v.retry' });
  });

  it.each([
    ['mostly holes', (i: number) => i % 3 === 0],
    ['a few holes', (i: number) => i % 3 !== 0],
  ])('walks an array of %s to its last element, in order', (_, holds) => {
    const list: unknown[] = [];
    for (let i = 0; i < 6000; i++) if (holds(i)) list[i] = i;
    list[4000] = new WithMethods();
    list[5999] = () => 1;
    expect(refusalOf({ list }, 'advanced', 'v')).toMatchObject({ path: 'v.list[4000]' });
    list[4000] = 1;
    expect(refusalOf({ list }, 'advanced', 'v')).toMatchObject({ path: 'v.list[5999]' });
    list[5999] = 1;
    expect(inspectValue({ list }, 'advanced', 'v')).toBe(false);
  });
});

describe('the named keys of arrays and binary data', () => {
  // Listing the keys of 64 Mi bytes would take gigabytes of strings: these end only on the path that shows no element.
  it('are found without listing the indices, whatever util.inspect.defaultOptions say', async () => {
    const { inspect } = await import('node:util');
    const huge = new Uint8Array(2 ** 26);
    expect(isProcxiable([huge], 'advanced')).toBe(true);
    const saved = { ...inspect.defaultOptions };
    Object.assign(inspect.defaultOptions, {
      showHidden: true,
      compact: false,
      numericSeparator: true,
      colors: true,
    });
    try {
      expect(isProcxiable([huge], 'advanced')).toBe(true);
      const long = Array.from({ length: 5000 }, (_, i) => i);
      expect(inspectValue(long, 'advanced', 'v')).toBe(true);
      expect(inspectValue(Object.assign([...long], { n: 1 }), 'advanced', 'v')).toBe(false);
    } finally {
      Object.assign(inspect.defaultOptions, saved);
    }
  });

  it('refuses a long typed array with a named key, and takes one whose class prints a name of its own', () => {
    const tagged = Object.assign(new Uint8Array(2 ** 26), { t: 1 });
    expect(() => validateProcxiable(tagged, 'advanced', 'v')).toThrow(/^v: a Uint8Array with .* \(t\)/);
    const quoted = Object.assign(new Uint16Array(1000), { 'a b': 1 });
    expect(() => validateProcxiable(quoted, 'advanced', 'v')).toThrow(/^v: a Uint16Array with .* \(a b\)/);
    class Spaced extends Uint8Array {
      // lib types the tag as the built-in's name; a subclass may print any.
      override get [Symbol.toStringTag](): 'Uint8Array' {
        return 'Foo Bar' as 'Uint8Array';
      }
    }
    expect(isProcxiable(new Spaced(2 ** 26), 'advanced')).toBe(true);
  });
});

describe('values without a prototype', () => {
  it("takes an array without a prototype as an array, its named keys judged as any array's", () => {
    const bare = Object.setPrototypeOf([1, 2], null) as number[];
    expect(inspectValue(bare, 'json', 'v')).toBe(true);
    expect(() => validateProcxiable({ a: Object.assign(bare, { t: 1 }) }, 'json', 'v')).toThrow(
      /^v\.a\.t: a named/,
    );
    expect(inspectValue({ a: bare }, 'advanced', 'v')).toBe(false);
  });

  it('refuses a built-in whose prototype was removed, which JSON writes as {} and V8 by its kind', () => {
    for (const [value, kind] of [
      [new Map([[1, 2]]), 'a Map'],
      [new Uint8Array(3), 'a binary view'],
      [new Date(0), 'a Date'],
    ] as const) {
      Object.setPrototypeOf(value, null);
      for (const mode of ['json', 'advanced'] as const) {
        expect(() => validateProcxiable({ value }, mode, 'v')).toThrow(
          `v.value: ${kind} whose prototype was removed`,
        );
      }
    }
  });

  it('refuses a revoked Proxy with its path, before asking for its prototype (which throws)', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const [value, path] of [
      [revoked.proxy, 'result'],
      [{ a: [revoked.proxy] }, 'result.a[0]'],
    ] as const) {
      const error = refusalOf(value, 'advanced', 'result');
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as SerializationError).path).toBe(path);
      expect((error as Error).message).toMatch(/a Proxy cannot be serialized/);
    }
  });

  it("lets a getter's own RangeError through, not as a value nested too deeply", () => {
    const value = {
      get broken(): number {
        throw new RangeError('out of range');
      },
    };
    expect(() => validateProcxiable([value, Object.assign([1], { x: 1 })], 'advanced', 'v')).toThrow(
      /^out of range$/,
    );
  });
});
