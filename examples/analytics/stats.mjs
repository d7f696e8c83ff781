// The analytics example's worker: sums bigint amounts per key into a Map (advanced mode carries both as they are).
export class Ledger {
  /** @type {Map<string, bigint>} */
  #totals = new Map();

  /** Adds every [account, amount] entry; amounts are bigint cents, far past Number.MAX_SAFE_INTEGER. */
  record(entries) {
    for (const [account, amount] of entries) {
      this.#totals.set(account, (this.#totals.get(account) ?? 0n) + amount);
    }
    return this.#totals.size;
  }

  /** The totals per account, as a Map, and their grand total. */
  totals() {
    let grand = 0n;
    for (const amount of this.#totals.values()) grand += amount;
    return { perAccount: new Map(this.#totals), grand };
  }
}
