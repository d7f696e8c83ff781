// HeldMessages: what a link still holds of what it sent, dropped as the kernel takes the stream.
import { describe, expect, it } from 'vitest';
import { HeldMessages } from '../../runtime/held-messages.js';

/** The ends and sizes still held, for comparing with a plain list. */
function expectHolds(held: HeldMessages, kept: readonly { end: number; bytes: number }[], handed: number) {
  const left = kept.filter((m) => m.end > handed);
  expect(held.count).toBe(left.length);
  expect(held.bytes).toBe(left.reduce((sum, m) => sum + m.bytes, 0));
}

describe('HeldMessages', () => {
  it('drops what the kernel took, counting what is left, messages added in the stream’s order or not', () => {
    const held = new HeldMessages();
    held.add(10, 1);
    held.add(20, 2);
    held.add(30, 3);
    held.drop(15);
    expect([held.count, held.bytes]).toEqual([2, 5]);
    // An aborted call's message, sent before the last two.
    held.add(12, 4);
    expect([held.count, held.bytes]).toEqual([3, 9]);
    held.drop(19);
    expect([held.count, held.bytes]).toEqual([2, 5]);
    held.drop(30);
    expect([held.count, held.bytes]).toEqual([0, 0]);
  });

  it('keeps the count and bytes right through many messages in any order, dropped bit by bit', () => {
    const held = new HeldMessages();
    const all: { end: number; bytes: number }[] = [];
    // A fixed shuffle: in order for a while (answers), then out of order (aborts), then in order again.
    for (let i = 1; i <= 5_000; i++) all.push({ end: i * 10, bytes: i % 7 });
    for (let i = 0; i < 2_000; i++) all.push({ end: ((i * 7_919) % 50_000) + 5, bytes: 1 });
    for (let i = 5_001; i <= 8_000; i++) all.push({ end: i * 10, bytes: 2 });
    let handed = 0;
    const added: { end: number; bytes: number }[] = [];
    for (const [i, m] of all.entries()) {
      held.add(m.end, m.bytes);
      added.push(m);
      if (i % 997 === 0) {
        handed += 4_000;
        held.drop(handed);
        for (let j = added.length - 1; j >= 0; j--) if (added[j]!.end <= handed) added.splice(j, 1);
        expectHolds(held, added, handed);
      }
    }
    for (; handed <= 80_000; handed += 1_500) {
      held.drop(handed);
      expectHolds(held, added, handed);
    }
    expect([held.count, held.bytes]).toEqual([0, 0]);
  });
});
