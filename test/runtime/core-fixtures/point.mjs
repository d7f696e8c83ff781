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

export class Exploding {}

registerTransferHandler('Exploding', {
  canHandle: (value) => value instanceof Exploding,
  serialize: () => {
    throw new Error('cannot serialize this');
  },
  deserialize: () => new Exploding(),
});

export class Geometry {
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
  deep() {
    return { a: [{ b: new Map([['p', new Point(3, 4)]]) }] };
  }
}
