// `procxy/esbuild`: generates the stubs and child entries inside an esbuild build, with the generator of `procxy generate`.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { BuildOptions, Location, OutputFile, PartialMessage, Plugin } from 'esbuild';
import { ConfigError } from './config.js';
import { configInputs } from './config-inputs.js';
import type { ProcxyDiagnostic } from './diagnostics.js';
import { type GenerateResult, Generator } from './generate.js';
import { type LineIndex, lineIndexes, utf8Length } from './line-index.js';
import { loadConfig } from './load-config.js';
import { existingFolder, STUB_FILE, STUB_SPECIFIER, stubFor, stubPath, writeOutput } from './outputs.js';

export interface ProcxyPluginOptions {
  /** Config file, relative to the build's `absWorkingDir` (default: `procxy.config.ts` there). */
  readonly config?: string;
}

/** What one run of the generator left for the build to use. */
interface Run {
  readonly result: GenerateResult | undefined;
  /** Errors not yet handed to esbuild in this build (diagnostics, or a config problem). */
  errors: PartialMessage[];
  readonly warnings: PartialMessage[];
  /** True when this run generated nothing because of errors. */
  readonly failed: boolean;
}

const RESOLVING_ENTRY = Symbol('procxy-resolving-entry');
const CHILD_URL = /new URL\((['"])\.\/([^'"/]+\.procxy\.child\.mjs)\1, import\.meta\.url\)/g;

/** A file's identity on disk, to tell which dependencies changed between two builds of one context. */
function stamp(file: string): string {
  try {
    const stats = statSync(file);
    return `${stats.mtimeMs}:${stats.size}`;
  } catch {
    return 'missing';
  }
}

function toMessage(
  diagnostic: ProcxyDiagnostic,
  cwd: string,
  lines: (file: string) => LineIndex | undefined,
): PartialMessage {
  const index = lines(diagnostic.file);
  const lineText = index?.line(diagnostic.line - 1) ?? '';
  const location: Partial<Location> = {
    file: path.relative(cwd, diagnostic.file),
    line: diagnostic.line,
    // esbuild columns are 0-based UTF-8 bytes, procxy's (like tsc's) 1-based UTF-16 units: they differ after any
    // character outside ASCII, and esbuild would underline the wrong token.
    column:
      index === undefined ? diagnostic.column - 1 : utf8Length(lineText.slice(0, diagnostic.column - 1)),
    length:
      index === undefined
        ? diagnostic.length
        : utf8Length(index.text.slice(diagnostic.start, diagnostic.start + diagnostic.length)),
    lineText,
  };
  return { id: diagnostic.code, text: `${diagnostic.code}: ${diagnostic.message}`, location };
}

/**
 * The plugin. Stubs are served from memory (the bytes `procxy generate` writes); the child entry of every stub the
 * bundle imports is emitted beside each output file holding the stub's code as `<name>.procxy.child.mjs`, where the
 * stub's `new URL('./<name>.procxy.child.mjs', import.meta.url)` finds it. So the output must be ESM; the child keeps its packages external like the one `procxy generate` writes, so `procxy` and the worker's
 * dependencies must resolve from the output folder at run time.
 */
export function procxyPlugin(options: ProcxyPluginOptions = {}): Plugin {
  return {
    name: 'procxy',
    setup(build) {
      const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
      // Which outputs hold a stub's code, to emit its child entry beside each; a metafile the user asked for is theirs
      // unchanged.
      build.initialOptions.metafile = true;
      const configFile = path.resolve(cwd, options.config ?? 'procxy.config.ts');
      let generator: Generator | undefined;
      /** The config and its tsconfig chain: an edit to one makes a new generator (compiler options are read then). */
      let inputs = new Set<string>([configFile]);
      let stamps = new Map<string, string>();
      let run: Run = { result: undefined, errors: [], warnings: [], failed: false };
      const imported = new Set<string>();

      /** Folders whose listing is watched: a file that appears there may be one a failed run could not find. */
      let folders: string[] = [];
      const watched = () => ({ watchFiles: [...stamps.keys()], watchDirs: folders });

      build.onStart(async () => {
        imported.clear();
        const changed = [...stamps].filter(([file, before]) => stamp(file) !== before).map(([file]) => file);
        try {
          // After a failed run, a new generator: the file that appeared may be one TypeScript failed to find, and it
          // keeps failed lookups for the files it reuses (esbuild does not say which file appeared).
          if (generator === undefined || run.failed || changed.some((file) => inputs.has(file))) {
            generator = undefined;
            const config = await loadConfig(configFile);
            inputs = new Set(configInputs(config));
            generator = new Generator(config, { esmStubs: true });
          } else {
            generator.invalidate(changed);
          }
          const result = await generator.run({ check: true });
          stamps = new Map([...inputs, ...result.dependencies].map((file) => [file, stamp(file)]));
          const failed = result.diagnostics.some((d) => d.category === 'error');
          folders = [
            ...new Set([
              ...result.folders,
              ...result.dependencies.map((file) => path.dirname(file)),
              // After errors, where a missing import would appear, which may be outside every folder above.
              ...(failed ? result.unresolved.map((file) => existingFolder(path.dirname(file))) : []),
            ]),
          ].sort();
          // Fresh per build: a file's lines may have changed since the last one.
          const lines = lineIndexes();
          const errors = result.diagnostics
            .filter((d) => d.category === 'error')
            .map((d) => toMessage(d, cwd, lines));
          run = {
            result,
            errors,
            warnings: result.diagnostics
              .filter((d) => d.category === 'warning')
              .map((d) => toMessage(d, cwd, lines)),
            failed: errors.length > 0,
          };
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          // The next build loads the config again; watching what the failed load read or looked for (and the
          // tsconfigs) lets fixing it trigger that build, and the folders of those files say when an import appears.
          for (const file of [...inputs, ...error.inputs])
            if (!stamps.has(file)) stamps.set(file, stamp(file));
          folders = [
            ...new Set([...folders, ...error.inputs.map((file) => existingFolder(path.dirname(file)))]),
          ].sort();
          generator = undefined;
          run = {
            result: undefined,
            errors: [{ text: error.message, location: { file: path.relative(cwd, configFile) } }],
            warnings: [],
            failed: true,
          };
        }
        return { warnings: run.warnings };
      });

      // The entry points carry what the run read, so that a build which imports no stub, but fails on a worker's
      // errors as `procxy generate` would, is built again when they are fixed. esbuild takes watch files only with a
      // path, so the entry is resolved here, as esbuild (and the plugins after this one) would.
      const entries = entryFilter(build.initialOptions.entryPoints);
      if (entries !== undefined) {
        build.onResolve({ filter: entries }, async (args) => {
          if (args.kind !== 'entry-point' || args.pluginData === RESOLVING_ENTRY) return undefined;
          const { errors, warnings, ...resolved } = await build.resolve(args.path, {
            kind: 'entry-point',
            resolveDir: args.resolveDir,
            pluginData: RESOLVING_ENTRY,
          });
          // Not found: esbuild says so itself when it tries.
          if (errors.length > 0) return undefined;
          return { ...resolved, warnings, ...watched() };
        });
      }

      // procxy stays a package: the no-build procxy() starts the child entry the package ships, which a bundled copy
      // would look for beside the bundle (the stubs' children import procxy as a package too).
      build.onResolve({ filter: /^procxy(?:\/.*)?$/ }, (args) => ({ path: args.path, external: true }));

      build.onResolve({ filter: STUB_SPECIFIER }, async (args) => {
        const files = run.result?.files;
        if (!args.path.startsWith('.') && !path.isAbsolute(args.path)) {
          // A package or tsconfig `paths` specifier (`@w/greeter.worker.procxy.js`): the stub is not on disk to be
          // found, but its worker is, under the same specifier without `.procxy`; where that worker's stub goes is known.
          const config = run.result?.config;
          if (files === undefined || config === undefined) return undefined;
          const source = await build.resolve(args.path.replace(/\.procxy(?=(?:\.[cm]?[jt]s)?$)/, ''), {
            kind: args.kind,
            importer: args.importer,
            resolveDir: args.resolveDir,
          });
          if (source.errors.length > 0 || source.external) return undefined;
          const stub = stubPath(source.path, config.root, config.outDir);
          // As below, a failed run still resolves it, so that loading it reports why it is missing.
          return files.has(stub) || run.failed ? { path: stub, ...watched() } : undefined;
        }
        const found = files === undefined ? undefined : stubFor(args.path, args.resolveDir, files);
        if (found !== undefined) return { path: found, ...watched() };
        // Without a generation (errors), the stub is still resolved so that loading it reports why it is missing.
        if (run.failed) {
          return {
            path: path.resolve(args.resolveDir, args.path).replace(/\.[cm]?js$/, '.ts'),
            ...watched(),
          };
        }
        return undefined;
      });

      build.onLoad({ filter: STUB_FILE }, (args) => {
        if (run.errors.length > 0) {
          const errors = run.errors;
          run.errors = [];
          return { errors, ...watched() };
        }
        // The errors went with the first stub; the others load empty so esbuild adds no 'file not found' to them.
        if (run.failed) return { contents: '', loader: 'ts', ...watched() };
        const contents = run.result?.files.get(args.path);
        if (contents === undefined) return undefined;
        const { format, platform } = build.initialOptions;
        if ((format ?? (platform === 'neutral' ? 'esm' : undefined)) !== 'esm') {
          return {
            errors: [
              {
                text: `procxy: ${path.relative(cwd, args.path)} finds its child entry through import.meta.url, so the build needs format: 'esm'`,
              },
            ],
            ...watched(),
          };
        }
        imported.add(args.path);
        return {
          contents,
          loader: 'ts',
          resolveDir: existingFolder(path.dirname(args.path)),
          ...watched(),
        };
      });

      build.onEnd((result) => {
        // Errors of workers this bundle does not import fail the build too, as they fail `procxy generate`.
        const errors = run.errors;
        run.errors = [];
        if (errors.length > 0 || result.errors.length > 0 || imported.size === 0) return { errors };
        const { outdir, outfile } = build.initialOptions;
        if (outdir === undefined && outfile === undefined) {
          return {
            errors: [
              {
                text: 'procxy: the bundle imports a worker stub, so the build needs outdir or outfile for its child entry',
              },
            ],
          };
        }
        // Each output finds its children beside itself (`import.meta.url`), wherever esbuild put it: an entry point
        // in a sub-folder of the others', a chunk.
        const holders = new Map<string, string[]>();
        for (const [output, { inputs }] of Object.entries(result.metafile?.outputs ?? {})) {
          for (const input of Object.keys(inputs)) {
            const stub = path.resolve(cwd, input);
            if (imported.has(stub))
              holders.set(stub, [...(holders.get(stub) ?? []), path.resolve(cwd, output)]);
          }
        }
        const children = new Map<string, string>();
        const files = run.result?.files ?? new Map<string, string>();
        for (const stub of [...holders.keys()].sort()) {
          for (const match of files.get(stub)!.matchAll(CHILD_URL)) {
            // The stub percent-encodes the name for its URL (`#`, `?`, `%` would end or escape it); on disk it is decoded.
            const name = decodeURIComponent(match[2]!);
            const source = path.join(path.dirname(stub), name);
            for (const output of holders.get(stub)!) {
              const target = path.join(path.dirname(output), name);
              const other = children.get(target);
              if (other !== undefined && other !== source) {
                return {
                  errors: [
                    {
                      text: `procxy: ${path.relative(cwd, other)} and ${path.relative(cwd, source)} would both be emitted as ${path.relative(cwd, target)}; rename one of the workers`,
                    },
                  ],
                };
              }
              children.set(target, source);
            }
          }
        }
        for (const [target, source] of children) {
          const text = files.get(source)!;
          if (build.initialOptions.write === false) {
            result.outputFiles?.push(outputFile(target, text));
          } else {
            writeOutput(target, text);
          }
        }
        return { errors: [] };
      });

      build.onDispose(() => {
        generator = undefined;
        run = { result: undefined, errors: [], warnings: [], failed: false };
        stamps.clear();
      });
    },
  };
}

/** A filter matching exactly the entry points' paths as given, or undefined when there are none. */
function entryFilter(entryPoints: BuildOptions['entryPoints']): RegExp | undefined {
  const given: string[] = [];
  if (Array.isArray(entryPoints)) {
    for (const entry of entryPoints) given.push(typeof entry === 'string' ? entry : entry.in);
  } else if (entryPoints !== undefined) {
    given.push(...Object.values(entryPoints));
  }
  if (given.length === 0) return undefined;
  // esbuild hands a relative entry point over as `./src/main.ts`, however it was written.
  const escaped = given.map((p) => p.replace(/^\.\//, '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^(?:\\./)?(?:${escaped.join('|')})$`);
}

/** An output file like esbuild's own, for builds with `write: false`. */
function outputFile(file: string, text: string): OutputFile {
  const contents = new TextEncoder().encode(text);
  return { path: file, contents, text, hash: String(text.length) };
}
