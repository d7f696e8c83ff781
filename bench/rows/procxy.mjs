// Rows "procxy json", "procxy advanced" and "procxy advanced + transfer()": the package under test, loaded from its
// build (dist/) by self-reference.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { binaryScenarios } from '../scenarios.mjs';
import { Calc } from '../workers/calc.mjs';

const calcPath = fileURLToPath(new URL('../workers/calc.mjs', import.meta.url));
const calcTransferPath = fileURLToPath(new URL('../workers/calc-transfer.mjs', import.meta.url));
const distEntry = fileURLToPath(new URL('../../dist/runtime/index.js', import.meta.url));

// A missing build makes these rows n/a; a build that exists but does not load makes them fail, with its error.
export const isBuilt = () => existsSync(distEntry);
let loaded;
const loadProcxy = () => {
  loaded ??= import('procxy');
  return loaded;
};

const jsonCannot = {
  'S3-1MiB': 'json mode cannot carry a Buffer',
  'S3-1MiB-echo': 'json mode cannot carry a Buffer',
  'S3-10MiB': 'json mode cannot carry a Buffer',
  'S3-10MiB-echo': 'json mode cannot carry a Buffer',
  'S4-advanced': 'json mode cannot carry Map, Set, bigint or Date',
};

function procxyRow(serialization, transfers) {
  return {
    id: `procxy-${serialization}${transfers ? '-transfer' : ''}`,
    label: `procxy ${serialization}${transfers ? ' + transfer()' : ''}`,
    compareTo: `raw-${serialization}`,
    ...(serialization === 'json' ? { cannot: jsonCannot } : {}),
    ...(transfers ? { scenarios: binaryScenarios, transfers: true } : {}),
    describe: transfers
      ? "procxy(CalcTransfer, modulePath, { serialization: 'advanced' }) where CalcTransfer is Calc whose echo returns transfer(buf, [buf.buffer]); the parent calls proxy.size(transfer(buf, [buf.buffer])) and proxy.echo(transfer(buf, [buf.buffer])) with a fresh non-pooled Buffer per call, so the bytes are moved as raw segments both ways, not copied (S3 only: for everything else it is procxy advanced)"
      : `await procxy(Calc, calcModulePath, { serialization: '${serialization}' }), then proxy.add(1, 2) and so on; closed with $terminate()${serialization === 'advanced' ? '; Buffers of 64 KiB and more travel as raw segments beside the frame, borrowed (written from the memory of the caller as far as the kernel takes them at once, the rest copied before the call returns, as nothing marks them for transfer)' : ''}`,
    async unavailable() {
      if (!isBuilt()) return 'runtime not built';
      // Loaded here so that no start pays for the import; a load error surfaces from start() as a failure.
      await loadProcxy().catch(() => {});
      return null;
    },
    async start() {
      const { procxy, transfer } = await loadProcxy();
      // Imported late: the worker module imports procxy/transfer, which exists only once built.
      const proxy = transfers
        ? await procxy((await import('../workers/calc-transfer.mjs')).CalcTransfer, calcTransferPath, {
            serialization,
          })
        : await procxy(Calc, calcPath, { serialization });
      const moved = (a) => (ArrayBuffer.isView(a) ? transfer(a, [a.buffer]) : a);
      return {
        call: transfers ? (m, a) => proxy[m](...a.map(moved)) : (m, a) => proxy[m](...a),
        close: () => proxy.$terminate(),
      };
    },
  };
}

export const procxyJson = procxyRow('json', false);
export const procxyAdvanced = procxyRow('advanced', false);
export const procxyAdvancedTransfer = procxyRow('advanced', true);
