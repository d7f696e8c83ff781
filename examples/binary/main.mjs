// Buffers across the boundary in advanced mode: copy vs transfer() of a 10 MiB buffer, hashed in the child.
import { createHash, randomFillSync } from 'node:crypto';
import { procxy } from 'procxy';
import { transfer } from 'procxy/transfer';
import { Hasher } from './hasher.mjs';

const size = 10 * 1024 * 1024;
const mib = size / (1024 * 1024);
const fresh = () => randomFillSync(new Uint8Array(new ArrayBuffer(size)));
const rate = (ms) => `${(mib / (ms / 1000)).toFixed(0)} MiB/s`;

const hasher = await procxy(Hasher, new URL('./hasher.mjs', import.meta.url), { serialization: 'advanced' });
try {
  const data = fresh();
  const expected = createHash('sha256').update(data).digest('hex');

  let start = performance.now();
  const copied = await hasher.sha256(data);
  const copyMs = performance.now() - start;
  if (copied !== expected) throw new Error('the child hashed other bytes than it was sent');
  console.log(`copy:     sha256 ${copied.slice(0, 16)}... ${copyMs.toFixed(1)} ms, ${rate(copyMs)}`);

  start = performance.now();
  const moved = await hasher.sha256(transfer(data, [data.buffer]));
  const moveMs = performance.now() - start;
  if (moved !== expected) throw new Error('the transferred bytes hashed differently');
  // The parent's view is detached: its memory went to the child without a copy.
  console.log(`transfer: sha256 ${moved.slice(0, 16)}... ${moveMs.toFixed(1)} ms, ${rate(moveMs)}`);
  console.log(`parent's buffer after transfer: byteLength ${data.byteLength}`);

  const round = fresh();
  const before = createHash('sha256').update(round).digest('hex');
  const back = await hasher.xor(transfer(round, [round.buffer]), 0x5a);
  const undo = back.map((b) => b ^ 0x5a);
  if (createHash('sha256').update(undo).digest('hex') !== before) throw new Error('xor round trip differs');
  console.log(
    `round trip: ${back.byteLength} bytes xored in the child and moved back, ${back.constructor.name}`,
  );
  console.log('binary: ok');
} finally {
  await hasher.$terminate();
}
