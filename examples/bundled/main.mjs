// Bundles app.mjs with esbuild and the procxy plugin into dist/examples/bundled, then runs the bundle with plain node.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { procxyPlugin } from 'procxy/esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = fileURLToPath(new URL('../../dist/examples/bundled/', import.meta.url));

const result = await build({
  absWorkingDir: here,
  entryPoints: ['app.mjs'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: out,
  logLevel: 'warning',
  plugins: [procxyPlugin()],
});
console.log(`esbuild: ${result.errors.length} errors; bundle and child entry in dist/examples/bundled/`);
const run = spawnSync(process.execPath, [`${out}app.js`], { stdio: 'inherit' });
process.exitCode = run.status ?? 1;
