// Build step after tsc: makes dist/runtime/child/link.js, with everything it imports, one file, so that a child
// starts by loading a handful of modules instead of twenty (about 20 ms of a child's start on a slow machine).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const runtime = fileURLToPath(new URL('../dist/runtime/', import.meta.url));
const link = path.join(runtime, 'child', 'link.js');

// Modules whose state or classes a worker's own `import ... from 'procxy'` must share with the runtime (transfer
// marks, registered transfer handlers, error classes) stay files of their own, imported by their one path.
const shared = new Set(
  ['errors.js', 'transfer.js', 'transfer-handlers.js'].map((f) => path.join(runtime, f)),
);

await build({
  entryPoints: [link],
  outfile: link,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Names stay as written: stacks and class names read the same as in the sources.
  keepNames: true,
  // Reads tsc's maps of the inputs, so stacks still point into the TypeScript sources.
  sourcemap: 'linked',
  logLevel: 'warning',
  // The comments naming each bundled file hold paths relative to the repository, wherever it is.
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [
    {
      name: 'shared-runtime-modules',
      setup(b) {
        b.onResolve({ filter: /^\./ }, (args) => {
          const file = path.resolve(args.resolveDir, args.path);
          if (!shared.has(file)) return undefined;
          const relative = path.relative(path.dirname(link), file);
          return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
        });
      },
    },
  ],
});
