// Rows "procxy json" and "procxy advanced": the package under test, loaded from its build (dist/) by self-reference.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Calc } from '../workers/calc.mjs';

const calcPath = fileURLToPath(new URL('../workers/calc.mjs', import.meta.url));
const distEntry = fileURLToPath(new URL('../../dist/runtime/index.js', import.meta.url));

// A missing build makes these rows n/a; a build that exists but does not load makes them fail, with its error.
const isBuilt = () => existsSync(distEntry);
let loaded;
const loadProcxy = () => {
  loaded ??= import('procxy');
  return loaded;
};

function procxyRow(serialization) {
  return {
    id: `procxy-${serialization}`,
    label: `procxy ${serialization}`,
    compareTo: `raw-${serialization}`,
    describe: `await procxy(Calc, calcModulePath, { serialization: '${serialization}' }), then proxy.add(1, 2); closed with $terminate()`,
    async unavailable() {
      if (!isBuilt()) return 'runtime not built';
      // Loaded here so that no start pays for the import; a load error surfaces from start() as a failure.
      await loadProcxy().catch(() => {});
      return null;
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
