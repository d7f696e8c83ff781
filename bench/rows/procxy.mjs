// Rows "procxy json" and "procxy advanced": the package under test, loaded from its build (dist/) by self-reference.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Calc } from '../workers/calc.mjs';

const calcPath = fileURLToPath(new URL('../workers/calc.mjs', import.meta.url));
const distEntry = fileURLToPath(new URL('../../dist/runtime/index.js', import.meta.url));

let loaded;

// Loaded once and lazily, so that a missing or broken build marks these rows instead of stopping the bench.
async function loadProcxy() {
  if (!existsSync(distEntry)) return { reason: 'runtime not built' };
  loaded ??= import('procxy').then(
    (mod) => ({ procxy: mod.procxy }),
    (err) => ({ reason: `cannot import procxy: ${err.message}` }),
  );
  return loaded;
}

function procxyRow(serialization) {
  return {
    id: `procxy-${serialization}`,
    label: `procxy ${serialization}`,
    compareTo: `raw-${serialization}`,
    describe: `await procxy(Calc, calcModulePath, { serialization: '${serialization}' }), then proxy.add(1, 2); closed with $terminate()`,
    async unavailable() {
      const { reason } = await loadProcxy();
      return reason ?? null;
    },
    async start() {
      const { procxy } = await loadProcxy();
      const proxy = await procxy(Calc, calcPath, { serialization });
      return {
        call: (m, a) => proxy[m](...a),
        close: () => proxy.$terminate(),
      };
    },
  };
}

export const procxyJson = procxyRow('json');
export const procxyAdvanced = procxyRow('advanced');
