// A worker that echoes and describes what it received, for the serialization tests.
export class Echo {
  constructor(...args) {
    this.ctorArgs = args;
  }
  echo(value) {
    return value;
  }
  describe(...args) {
    return args.map((a) => ({
      type: a === null ? 'null' : typeof a,
      isBuffer: Buffer.isBuffer(a),
      ctor: typeof a === 'object' && a !== null ? (a.constructor?.name ?? 'null-proto') : undefined,
    }));
  }
  /** Counts its calls: a refused argument must never reach the method. */
  take(value) {
    this.taken = (this.taken ?? 0) + 1;
    return Array.isArray(value) ? value.length : typeof value;
  }
  takenCount() {
    return this.taken ?? 0;
  }
  /**
   * `n` small objects, the one at `badAt` holding what the mode cannot carry (a function, a Date, a class instance, an
   * object with a symbol-keyed property, a Map with a property of its own).
   */
  many(n, badAt, bad) {
    const items = Array.from({ length: n }, (_, i) => ({ i, label: `item ${i}` }));
    const values = {
      function: () => 1,
      date: new Date(0),
      class: new (class Counter {
        tick() {}
      })(),
      symbol: { [Symbol('dropped')]: 1 },
      mapProperty: Object.assign(new Map(), { note: 'dropped' }),
    };
    if (badAt >= 0) items[badAt].bad = values[bad];
    return items;
  }
  same(a, b) {
    return a === b;
  }
  defaults(a = 'default-a', b = 'default-b') {
    return [a, b];
  }
  argCount(...args) {
    return args.length;
  }
  constructorArgs() {
    return this.ctorArgs;
  }
  returnsDate() {
    return new Date(0);
  }
  returnsUndefined() {}
  buffer(size) {
    return Buffer.alloc(size, 7);
  }
  /** Throws an Error whose `details` field holds `details` (Errors inside it keep their fields too). */
  throwsWith(details) {
    throw Object.assign(new Error('outer'), { details });
  }
  /** Throws an Error whose details hold an Error with a function field, which no check lets through as a value. */
  throwsHooked() {
    const upstream = Object.assign(new Error('up'), { hook: () => 1 });
    throw Object.assign(new Error('outer'), { details: { status: 502, upstream } });
  }
  /** Calls `callback` and says what the Error it threw held in its `details` field. */
  async caught(callback) {
    try {
      await callback();
      return undefined;
    } catch (error) {
      const inner = error.details?.inner;
      return { outer: error.message, inner: { name: inner?.name, code: inner?.code } };
    }
  }
  pid() {
    return process.pid;
  }
  argv() {
    return process.argv.slice(2);
  }
  cwd() {
    return process.cwd();
  }
}

export default class DefaultWorker {
  hello() {
    return 'from the default export';
  }
}
