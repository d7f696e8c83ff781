// The no-build example's worker: a plain ES module class that procxy(Class, modulePath) runs in a child process.

/** A stock-keeping error whose fields (sku, requested, available) survive the trip to the parent. */
export class OutOfStockError extends Error {
  constructor(sku, requested, available, options) {
    super(`Only ${available} of ${sku} left, ${requested} requested`, options);
    this.name = 'OutOfStockError';
    this.sku = sku;
    this.requested = requested;
    this.available = available;
  }
}

/** Keeps stock counts in the child; the parent only ever sees promises. */
export class Inventory {
  #stock = new Map();

  constructor(initial) {
    for (const [sku, count] of Object.entries(initial)) this.#stock.set(sku, count);
  }

  count(sku) {
    return this.#stock.get(sku) ?? 0;
  }

  take(sku, n) {
    const available = this.count(sku);
    if (n > available) {
      const cause = new RangeError(`take(${sku}, ${n}): the count would go below zero`);
      throw new OutOfStockError(sku, n, available, { cause });
    }
    this.#stock.set(sku, available - n);
    return available - n;
  }

  pid() {
    return process.pid;
  }
}
