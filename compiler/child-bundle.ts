// Bundles a child entry with esbuild into one ESM file that starts on plain Node 20 (no TypeScript loader).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Message, type Plugin } from 'esbuild';
import { urlPath } from './emit.js';
import { existingFolder, STUB_FILE, STUB_SPECIFIER, stubFor } from './outputs.js';
import { quote } from './signature-text.js';

export interface ChildBundle {
  readonly text: string;
  /** Absolute paths of the files the bundle was made from (for --watch). */
  readonly inputs: readonly string[];
}

export class ChildBundleError extends Error {
  override readonly name = 'ChildBundleError';
  readonly messages: readonly Message[];
  constructor(messages: readonly Message[]) {
    super(messages.map((m) => m.text).join('\n'));
    this.messages = messages;
  }
}

/**
 * `require` for the CommonJS code in a bundle (a `.cts` worker, a dependency loaded with `require`): esbuild sends
 * its calls of external packages to the global `require`, which an ES module lacks. esbuild renames a bundled
 * module's own top-level `require`, so this one never collides.
 */
const commonJsGlobals =
  "import { createRequire as __procxyCreateRequire } from 'node:module';\nconst require = __procxyCreateRequire(import.meta.url);";

/**
 * `entry` is resolved from `sourceDir`; comments in the output hold paths relative to `root` only, so the bytes
 * do not depend on where the project lives.
 */
export async function bundleChild(options: {
  readonly entry: string;
  readonly sourceDir: string;
  readonly outFile: string;
  readonly root: string;
  readonly banner: string;
  readonly tsconfig: string | undefined;
  /** The stubs this run generates, by path: a worker that spawns another bundles its new stub, not what is on disk. */
  readonly stubs: ReadonlyMap<string, string>;
}): Promise<ChildBundle> {
  const basename = path.basename(options.outFile).replace(/\.mjs$/, '.ts');
  try {
    const result = await build({
      stdin: { contents: options.entry, resolveDir: options.sourceDir, sourcefile: basename, loader: 'ts' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // The runtime checks the class name the parent asked for; esbuild renames classes that refer to themselves.
      keepNames: true,
      packages: 'external',
      absWorkingDir: options.root,
      outfile: options.outFile,
      // Bundled JavaScript, not the project's source: a tsconfig with checkJs would check it and fail on it.
      banner: { js: `${options.banner}\n// @ts-nocheck\n${commonJsGlobals}` },
      // A worker written for CommonJS finds its files through these; in the bundle they are the child entry's own.
      define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
      metafile: true,
      logLevel: 'silent',
      charset: 'utf8',
      plugins: [generatedStubs(options.stubs, path.dirname(options.outFile))],
      ...(options.tsconfig === undefined ? {} : { tsconfig: options.tsconfig }),
    });
    const output = result.outputFiles.find((f) => f.path === options.outFile) ?? result.outputFiles[0]!;
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => !input.includes(':') && input !== basename && !input.endsWith(`/${basename}`))
      .map((input) => path.resolve(options.root, input))
      .sort();
    return { text: output.text, inputs };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) throw new ChildBundleError(errors);
    throw error;
  }
}

/**
 * Serves the stubs of this run from memory: on a clean tree they are not on disk yet, and an older one on disk may
 * name methods the other worker's new child no longer serves in that order.
 */
function generatedStubs(stubs: ReadonlyMap<string, string>, bundleDir: string): Plugin {
  return {
    name: 'procxy-generated-stubs',
    setup(build) {
      build.onResolve({ filter: STUB_SPECIFIER }, (args) => {
        if (!args.path.startsWith('.') && !path.isAbsolute(args.path)) return undefined;
        const stub = stubFor(args.path, args.resolveDir, stubs);
        return stub === undefined ? undefined : { path: stub };
      });
      build.onLoad({ filter: STUB_FILE }, async (args) => {
        const stubDir = path.dirname(args.path);
        const fromBundle = path.relative(bundleDir, stubDir).split(path.sep).join('/');
        let contents = stubs.get(args.path);
        if (contents === undefined && fromBundle === '') return undefined;
        contents ??= await readFile(args.path, 'utf8');
        return {
          contents: fromBundle === '' ? contents : childFoundFrom(contents, fromBundle),
          loader: 'ts',
          resolveDir: existingFolder(stubDir),
        };
      });
    },
  };
}

/**
 * A stub's text with its child entry found from `folder` (its own, relative to the bundle): inside the bundle,
 * `import.meta.url` and `__dirname` are the bundle's, not the stub's, so a stub from another folder would look for
 * its child beside the bundle.
 */
function childFoundFrom(stub: string, folder: string): string {
  return stub
    .replace(
      /new URL\(('(?:[^'\\]|\\.)*'), import\.meta\.url\)/g,
      (_, child: string) => `new URL(${child}, new URL(${quote(`${urlPath(folder)}/`)}, import.meta.url))`,
    )
    .replace(/\(__dirname, /g, `(__dirname, ${quote(folder)}, `);
}
