// Runs app.ts, which uses generated stubs: esbuild compiles it and the stubs into dist/examples, beside their child entries.
import { copyFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const examples = fileURLToPath(new URL('..', import.meta.url));
const out = fileURLToPath(new URL('../../dist/examples/', import.meta.url));
const stubs = ['hello/greeter', 'calc/calculator'];

// Not bundled: each stub finds its child entry next to itself (new URL('./x.procxy.child.mjs', import.meta.url)).
await build({
  entryPoints: ['stubs/app.ts', ...stubs.map((stub) => `${stub}.procxy.ts`)].map((file) => examples + file),
  outbase: examples,
  outdir: out,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
for (const stub of stubs)
  copyFileSync(`${examples}${stub}.procxy.child.mjs`, `${out}${stub}.procxy.child.mjs`);
await import(pathToFileURL(`${out}stubs/app.js`).href);
