// A custom type with a transfer handler, registered by whoever imports this module: the parent and the worker.
import { registerTransferHandler } from 'procxy/transfer';

export class Point {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
  norm() {
    return Math.hypot(this.x, this.y);
  }
}

registerTransferHandler('Point', {
  canHandle: (value) => value instanceof Point,
  serialize: (point) => [point.x, point.y],
  deserialize: ([x, y]) => new Point(x, y),
});

/** A custom type whose payload holds two Points, which their own handler carries. */
export class Segment {
  constructor(from, to) {
    this.from = from;
    this.to = to;
  }
  length() {
    return Math.hypot(this.to.x - this.from.x, this.to.y - this.from.y);
  }
}

registerTransferHandler('Segment', {
  canHandle: (value) => value instanceof Segment,
  serialize: (segment) => ({ from: segment.from, to: segment.to }),
  deserialize: ({ from, to }) => new Segment(from, to),
});

export class Exploding {}

registerTransferHandler('Exploding', {
  canHandle: (value) => value instanceof Exploding,
  serialize: () => {
    throw new Error('cannot serialize this');
  },
  deserialize: () => new Exploding(),
});

/** Rebuilt anywhere but from the payload 'bad', whose deserialize throws (in the child or in the parent). */
export class Brittle {
  constructor(tag) {
    this.tag = tag;
  }
}

registerTransferHandler('Brittle', {
  canHandle: (value) => value instanceof Brittle,
  serialize: (brittle) => brittle.tag,
  deserialize: (tag) => {
    if (tag === 'bad') throw new Error('cannot rebuild this');
    return new Brittle(tag);
  },
});

/** A node of a DAG whose two links may be one node, shared; counts the serializations of its handler. */
export class Knot {
  constructor(left, right) {
    this.left = left;
    this.right = right;
  }
}

export const knotSerializations = { count: 0 };

registerTransferHandler('Knot', {
  canHandle: (value) => value instanceof Knot,
  serialize: (knot) => {
    knotSerializations.count++;
    return { left: knot.left, right: knot.right };
  },
  deserialize: ({ left, right }) => new Knot(left, right),
});

/** `depth` Knots, each linking twice to the one below: 2^depth paths to the bottom. */
export function knotChain(depth) {
  let knot = null;
  for (let i = 0; i < depth; i++) knot = new Knot(knot, knot);
  return knot;
}

/** An Error of the caller's own, with a method, that a handler carries: thrown, as a cause, among errors. */
export class Fault extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'Fault';
    this.code = code;
  }
  describe() {
    return `${this.code}: ${this.message}`;
  }
}

registerTransferHandler('Fault', {
  canHandle: (value) => value instanceof Fault,
  serialize: (fault) => [fault.message, fault.code],
  deserialize: ([message, code]) => new Fault(message, code),
});

/** A box whose handler unwraps it on arrival: its deserialize gives what it holds, a primitive or null too. */
export class Boxed {
  constructor(value) {
    this.value = value;
  }
}

registerTransferHandler('Boxed', {
  canHandle: (value) => value instanceof Boxed,
  serialize: (box) => ({ value: box.value }),
  deserialize: ({ value }) => value,
});

/** Boxes at each place a primitive must come back from: arrays (with a hole), Map keys, Set items, shared parts. */
export function boxedSample() {
  const shared = { n: new Boxed(1) };
  return {
    top: new Boxed('s'),
    // biome-ignore lint/suspicious/noSparseArray: a hole must stay one
    list: [new Boxed(null), , new Boxed(undefined), shared],
    map: new Map([
      [new Boxed(2), new Boxed(true)],
      ['k', shared],
    ]),
    set: new Set([new Boxed(3n), 'x']),
    a: shared,
    b: shared,
    nested: new Boxed(new Boxed(4)),
  };
}

export class Geometry {
  #made;
  constructor(...made) {
    this.#made = made;
  }
  /** The constructor's arguments, as they arrived. */
  made() {
    return this.#made;
  }
  norms(value) {
    const out = [];
    const walk = (v) => {
      if (v instanceof Point) out.push(v.norm());
      else if (v && typeof v === 'object')
        for (const x of v instanceof Map ? v.values() : Object.values(v)) walk(x);
    };
    walk(value);
    return out;
  }
  mirror(point) {
    return new Point(-point.x, -point.y);
  }
  brittle(tag) {
    return { made: [new Brittle(tag)] };
  }
  pid() {
    return process.pid;
  }
  /** Calls `callback` with a Brittle of `tag`; what it answered, or how it failed. */
  async relay(callback, tag) {
    try {
      return { answer: await callback(new Brittle(tag)) };
    } catch (error) {
      return { failed: `${error.name}: ${error.message}` };
    }
  }
  /** What a Segment and the list holding it arrived as, and the list sent back. */
  segments(list) {
    const [segment, self] = list;
    return {
      length: segment.length(),
      points: segment.from instanceof Point && segment.to instanceof Point,
      cycle: self === list,
      back: list,
    };
  }
  /** How many Knots arrived, whether each came as a Knot, and whether each one's two links are one Knot. */
  knots(top) {
    let count = 0;
    let shared = true;
    let knots = true;
    for (let k = top; k !== null; k = k.left) {
      count++;
      knots &&= k instanceof Knot;
      shared &&= k.left === k.right;
    }
    return { count, knots, shared };
  }
  /** Throws a Fault, or an Error caused by one, or an AggregateError holding one. */
  fail(how) {
    const fault = new Fault('bent', 7);
    if (how === 'thrown') throw fault;
    if (how === 'cause') throw new Error('outer', { cause: fault });
    throw new AggregateError([fault], 'several');
  }
  echo(value) {
    return value;
  }
  boxes() {
    return boxedSample();
  }
  deep() {
    return { a: [{ b: new Map([['p', new Point(3, 4)]]) }] };
  }
}
