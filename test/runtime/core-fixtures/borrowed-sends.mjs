// Sends 10 MiB Buffers that are not marked for transfer to a real child, in a process of its own (no earlier large
// block freed, so glibc keeps its default thresholds), changes each at once after the call, and prints the hashes the
// child saw against the expected ones and the page faults this process took per send once the first ones were done.
import { createHash } from 'node:crypto';
import { procxy } from 'procxy';
import { Binary } from './binary.mjs';

const worker = await procxy(Binary, new URL('./binary.mjs', import.meta.url), { serialization: 'advanced' });
const size = 10 * 1024 * 1024;
const bytes = Buffer.alloc(size);
const faults = () => process.resourceUsage().minorPageFault;
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

const sends = 12;
const warm = 4;
let intact = 0;
let before = 0;
for (let i = 0; i < sends; i++) {
  if (i === warm) before = faults();
  bytes.fill(i + 1);
  const expected = sha256(bytes);
  const hashed = worker.hash(bytes);
  // The caller may reuse its Buffer once the call returned: the child must still see what was sent.
  bytes.fill(0xff);
  if ((await hashed) === expected) intact++;
}
const faultsPerSend = (faults() - before) / (sends - warm);
await worker.$terminate();
console.log(JSON.stringify({ sends, intact, faultsPerSend, pages: size / 4096 }));
