// Large binaries a call borrows (not marked for transfer): copied before the call returns, into memory reused.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./core-fixtures/borrowed-sends.mjs', import.meta.url));

describe('a 10 MiB Buffer sent again and again without transfer()', () => {
  it('arrives as it was at the call, and its copies reuse memory instead of faulting in fresh pages', () => {
    const run = spawnSync(process.execPath, [fixture], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const { sends, intact, faultsPerSend, pages } = JSON.parse(run.stdout);
    expect(intact).toBe(sends);
    console.log(`minor faults of the parent per 10 MiB send, once warm: ${faultsPerSend}`);
    // What the kernel does not take at once (nearly all of it) is copied: fresh memory for that each time would fault
    // about 2500 times per send (1454 on our VMs before the slabs stayed).
    expect(faultsPerSend).toBeLessThan(pages / 10);
  });
});
