// A child reuses the memory of the binaries it received and dropped (runtime/child/recycle.ts).
import { readFileSync } from 'node:fs';
import { type Procxy, procxy } from 'procxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Binary } from './core-fixtures/binary.mjs';
import { guardLeaks } from './reliability/helpers.js';

guardLeaks();

const module = new URL('./core-fixtures/binary.mjs', import.meta.url);
const MiB = 1024 * 1024;
const pageBytes = 4096;

/** A process's minor page faults so far (field 10 of /proc/<pid>/stat). */
function minorFaults(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

describe('binaries a child received and dropped', () => {
  let worker: Procxy<Binary, 'advanced'>;
  beforeAll(async () => {
    worker = await procxy(Binary, module, { serialization: 'advanced' });
  });
  afterAll(() => worker?.$terminate());

  it('leave their memory to the next ones, which take no fresh pages', async () => {
    const bytes = Buffer.alloc(MiB, 1);
    for (let i = 0; i < 20; i++) expect(await worker.length(bytes)).toBe(MiB);
    const before = minorFaults(worker.$pid);
    for (let i = 0; i < 20; i++) expect(await worker.length(bytes)).toBe(MiB);
    const faults = minorFaults(worker.$pid) - before;
    // Fresh pages for each would fault 5120 times: V8 alone frees none of these 40 MiB before it has seen 64.
    console.log(`minor faults of a child over 20 received MiB: ${faults}`);
    expect(faults).toBeLessThan((20 * MiB) / pageBytes / 4);
  });

  it('leave their memory to the next ones also when the worker moves them back', async () => {
    const bytes = Buffer.alloc(MiB, 2);
    for (let i = 0; i < 20; i++) expect((await worker.bounce(bytes)).byteLength).toBe(MiB);
    const before = minorFaults(worker.$pid);
    for (let i = 0; i < 20; i++) expect((await worker.bounce(bytes)).byteLength).toBe(MiB);
    const faults = minorFaults(worker.$pid) - before;
    console.log(`minor faults of a child over 20 received and moved-back MiB: ${faults}`);
    expect(faults).toBeLessThan((20 * MiB) / pageBytes / 4);
  });

  it('are collected without a global gc showing in the worker', async () => {
    expect(await worker.gcGlobal()).toBe('undefined');
  });
});
