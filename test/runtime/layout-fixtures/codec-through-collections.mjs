// Run with --trace-opt --trace-deopt --expose-gc: optimizes the built codec, then collects garbage between messages.
import { decodeV8, encodeV8 } from '../../../dist/runtime/v8-codec.js';

const message = {
  t: 'call',
  id: 1,
  m: 0,
  a: [1, 'two', { three: [3, 3.5] }, new Map([[4, new Set([5])]]), new Date(6), Buffer.alloc(100_000, 7)],
};

function roundTrip() {
  const { body, chunks } = encodeV8(message, undefined, () => {});
  const back = decodeV8(
    body,
    chunks.map((chunk) => Buffer.from(chunk)),
  );
  if (back.a[5].length !== 100_000) throw new Error('the message did not come back');
}

for (let i = 0; i < 40_000; i++) roundTrip();
console.log('--- collecting');
// What was made for the messages above is all dead now: a few full collections, with a message between each.
for (let i = 0; i < 4; i++) {
  globalThis.gc();
  roundTrip();
}
console.log('--- done');
