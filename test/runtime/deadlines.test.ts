// Call deadlines with real timers: each pending call expires at its own time, whatever the queues dropped around it.
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../runtime/deadlines.js';

/** Deadlines over a set of pending ids, recording which expired and after how long. */
function deadlines() {
  const pending = new Set<number>();
  const expired: { id: number; timeout: number; after: number }[] = [];
  const start = performance.now();
  const d = new Deadlines(
    (id) => pending.has(id),
    (id, timeout) => {
      pending.delete(id);
      expired.push({ id, timeout, after: performance.now() - start });
    },
  );
  return { d, pending, expired };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Deadlines', () => {
  it('expires pending calls of several timeouts in the order they fall due, and no settled one', async () => {
    const { d, pending, expired } = deadlines();
    for (const [id, timeout] of [
      [1, 60],
      [2, 20],
      [3, 40],
      [4, 20],
    ] as const) {
      pending.add(id);
      d.add(id, timeout, pending.size);
    }
    pending.delete(4);
    await pause(150);
    expect(expired.map((e) => [e.id, e.timeout])).toEqual([
      [2, 20],
      [3, 40],
      [1, 60],
    ]);
    for (const { timeout, after } of expired) expect(after).toBeGreaterThanOrEqual(timeout - 1);
  });

  it('still expires a pending call after sweeps dropped hundreds of settled queues around it', async () => {
    const { d, pending, expired } = deadlines();
    pending.add(0);
    d.add(0, 80, 1);
    for (let id = 1; id <= 500; id++) {
      pending.add(id);
      d.add(id, 60_000 + id, pending.size);
      pending.delete(id);
    }
    // A call added after the sweeps, with the pending one's timeout: same queue, later due.
    pending.add(501);
    d.add(501, 80, pending.size);
    await pause(200);
    expect(expired.map((e) => e.id)).toEqual([0, 501]);
    d.clear();
  });

  it('after idle, a call with a timeout met before expires at its own due time', async () => {
    const { d, pending, expired } = deadlines();
    pending.add(1);
    d.add(1, 30, 1);
    pending.delete(1);
    d.idle();
    await pause(20);
    pending.add(2);
    d.add(2, 30, 1);
    await pause(80);
    expect(expired.map((e) => e.id)).toEqual([2]);
    expect(expired[0]!.after).toBeGreaterThanOrEqual(49);
  });
});
