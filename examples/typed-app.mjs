// Runs an example's typed app.ts on generated stubs: esbuild compiles them into dist/examples, beside their child entries.
import { copyFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const examples = fileURLToPath(new URL('.', import.meta.url));
const out = fileURLToPath(new URL('../dist/examples/', import.meta.url));

/**
 * Compiles `app` (e.g. 'stubs/app.ts') and the stubs it uses (e.g. 'hello/greeter' for hello/greeter.procxy.ts),
 * copies their child entries, and imports the compiled app.
 */
export async function runTypedApp(app, stubs) {
  // Not bundled: each stub finds its child entry next to itself (new URL('./x.procxy.child.mjs', import.meta.url)).
  await build({
    entryPoints: [app, ...stubs.map((stub) => `${stub}.procxy.ts`)].map((file) => examples + file),
    outbase: examples,
    outdir: out,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  for (const stub of stubs)
    copyFileSync(`${examples}${stub}.procxy.child.mjs`, `${out}${stub}.procxy.child.mjs`);
  await import(pathToFileURL(out + app.replace(/\.ts$/, '.js')).href);
}
