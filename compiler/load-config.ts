// Loads procxy.config.ts on plain Node: esbuild bundles it (packages stay external), then it is imported from memory.
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Message, type Plugin } from 'esbuild';
import {
  ConfigError,
  type ConfigSerializationMode,
  type ProcxyConfig,
  TRANSFER_TYPE,
  validateConfig,
} from './config.js';

/** One entry of `transferTypes`: a type that a registered transfer handler carries. */
export interface TransferType {
  /** As written in the config, for messages: `'src/point.ts#Point'`. */
  readonly entry: string;
  /** Its config key: `transferTypes[0]`. */
  readonly key: string;
  /** Absolute path of the module. */
  readonly file: string;
  /** The name the module exports the type under. */
  readonly name: string;
}

/** A validated config with every path made absolute. */
export interface ResolvedConfig {
  /** Absolute path of the config file. */
  readonly file: string;
  /** Folder of the config file: globs, outDir, tsconfig and generated headers are relative to it. */
  readonly root: string;
  readonly workers: readonly string[];
  readonly serialization: ConfigSerializationMode;
  /** Absolute outDir, or undefined to write beside the sources. */
  readonly outDir: string | undefined;
  /** Absolute tsconfig path, or undefined when there is none. */
  readonly tsconfig: string | undefined;
  readonly transferTypes: readonly TransferType[];
  /** Absolute paths of the project's files the config imports (bundled with it, so an edit changes the config). */
  readonly imports: readonly string[];
}

/** Makes a validated config absolute against the folder of `file`. */
export function resolveConfig(file: string, value: unknown, imports: readonly string[] = []): ResolvedConfig {
  const inputs = [file, ...imports];
  let config: ProcxyConfig;
  try {
    config = validateConfig(value);
  } catch (error) {
    throw error instanceof ConfigError ? new ConfigError(error.message, error.key, inputs) : error;
  }
  const root = path.dirname(file);
  let tsconfig: string | undefined;
  if (config.tsconfig !== undefined) {
    tsconfig = path.resolve(root, config.tsconfig);
    if (!existsSync(tsconfig)) {
      throw new ConfigError(`Invalid option "tsconfig": ${config.tsconfig} does not exist`, 'tsconfig', [
        ...inputs,
        tsconfig,
      ]);
    }
  } else if (existsSync(path.join(root, 'tsconfig.json'))) {
    tsconfig = path.join(root, 'tsconfig.json');
  }
  const transferTypes = (config.transferTypes ?? []).map((entry, index): TransferType => {
    const [, module, name] = TRANSFER_TYPE.exec(entry)!;
    const key = `transferTypes[${index}]`;
    const absolute = path.resolve(root, module!);
    if (!existsSync(absolute)) {
      throw new ConfigError(`Invalid option "${key}": ${module} does not exist (in '${entry}')`, key, [
        ...inputs,
        absolute,
      ]);
    }
    return { entry, key, file: absolute, name: name! };
  });
  return {
    file,
    root,
    workers: config.workers.map((glob) => glob.replace(/\\/g, '/')),
    serialization: config.serialization ?? 'json',
    outDir: config.outDir === undefined ? undefined : path.resolve(root, config.outDir),
    tsconfig,
    transferTypes,
    imports,
  };
}

/** What a config threw, as text: a thrown string or null is its own message. */
function thrownMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Imported as a data: URL, a bundle has no folder; this stands for Node's lookup from the config's own folder. */
const LOCAL_TYPESCRIPT = /\.[cm]?tsx?$/;

/**
 * Resolves the config's package imports from its folder and leaves them external by absolute location, so the
 * bundle runs from anywhere (nothing is written beside the config: a read-only checkout works, nothing is left
 * behind, no watcher sees a temp file). A bare specifier that tsconfig `paths` maps to a TypeScript file is bundled.
 */
function packagesFrom(): Plugin {
  return {
    name: 'procxy-config-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === RESOLVING || isBuiltin(args.path) || path.isAbsolute(args.path))
          return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: RESOLVING,
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (resolved.external || LOCAL_TYPESCRIPT.test(resolved.path)) return resolved;
        // require() takes paths, import takes URLs.
        const required = args.kind === 'require-call' || args.kind === 'require-resolve';
        return { path: required ? resolved.path : pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
}

const RESOLVING = Symbol('procxy-config-resolving');

/**
 * The bundle's first lines: `require` and `import.meta.resolve` as the config file's own. Relative specifiers and
 * URLs resolve against the config's URL, built-ins to `node:`, packages through require's lookup from the config's
 * folder (Node's `require` conditions, not `import`: a package exporting only `import` is not found this way).
 */
function banner(url: string): string {
  return [
    "import { createRequire as __procxyCreateRequire, isBuiltin as __procxyIsBuiltin } from 'node:module';",
    "import { pathToFileURL as __procxyPathToFileURL } from 'node:url';",
    `const require = __procxyCreateRequire(${JSON.stringify(url)});`,
    'const __procxyResolve = (specifier) =>',
    '  /^(?:\\.{0,2}\\/|[a-z][a-z\\d+.-]+:)/i.test(specifier)',
    `    ? new URL(specifier, ${JSON.stringify(url)}).href`,
    '    : __procxyIsBuiltin(specifier)',
    '      ? "node:" + specifier',
    '      : __procxyPathToFileURL(require.resolve(specifier)).href;',
  ].join('\n');
}

/**
 * Node names the importing module in its errors: here the data: URL, i.e. the whole encoded bundle. The config file
 * is what the user knows (and what every relative path in it is relative to).
 */
function withoutDataUrl(message: string, file: string): string {
  return message.replace(/data:text\/javascript,\S*/g, file);
}

/**
 * The files a failed bundling of the config names: those its errors are in, and where a relative import not found
 * was looked for. Paths in esbuild's messages are relative to its working folder, `dir`.
 */
function failedBuildInputs(error: unknown, dir: string): string[] {
  const messages = (error as { errors?: unknown }).errors;
  if (!Array.isArray(messages)) return [];
  const files: string[] = [];
  for (const message of messages as Message[]) {
    if (message.location === null) continue;
    const file = path.resolve(dir, message.location.file);
    files.push(file);
    const missing = /^Could not resolve "(\.{1,2}\/[^"]*)"/.exec(message.text);
    if (missing !== null) files.push(path.resolve(path.dirname(file), missing[1]!));
  }
  return files;
}

/** Bundles and imports a config file, then validates it; every failure is a ConfigError. */
export async function loadConfig(file: string): Promise<ResolvedConfig> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute))
    throw new ConfigError(`Config file not found: ${absolute}`, undefined, [absolute]);
  const url = pathToFileURL(absolute).href;
  let code: string;
  let imports: string[];
  try {
    const result = await build({
      entryPoints: [absolute],
      // Explicit: esbuild's default is the folder its service started in, not the current one.
      absWorkingDir: path.dirname(absolute),
      write: false,
      bundle: true,
      metafile: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Node's own lookup: no `module` condition or field, which esbuild would otherwise prefer.
      conditions: [],
      mainFields: ['main'],
      logLevel: 'silent',
      plugins: [packagesFrom()],
      // The bundle has no file of its own: these name the config file (whose folder every path in it is relative
      // to), and require() resolves from there, so CommonJS configs and CommonJS idioms in a .ts config work.
      define: {
        __dirname: JSON.stringify(path.dirname(absolute)),
        __filename: JSON.stringify(absolute),
        'import.meta.url': JSON.stringify(url),
        'import.meta.dirname': JSON.stringify(path.dirname(absolute)),
        'import.meta.filename': JSON.stringify(absolute),
        // A data: URL resolves nothing but built-ins, so import.meta.resolve is the config file's (below).
        'import.meta.resolve': '__procxyResolve',
      },
      banner: { js: banner(url) },
    });
    code = result.outputFiles[0]!.text;
    // Metafile paths are relative to the working folder; bundled packages are not the project's to watch.
    imports = Object.keys(result.metafile.inputs)
      .map((input) => path.resolve(path.dirname(absolute), input))
      .filter((input) => input !== absolute && !input.split(path.sep).includes('node_modules'));
  } catch (error) {
    throw new ConfigError(`Cannot compile config ${absolute}: ${thrownMessage(error)}`, undefined, [
      absolute,
      ...failedBuildInputs(error, path.dirname(absolute)),
    ]);
  }
  const inputs = [absolute, ...imports];
  let loaded: unknown;
  try {
    // A unique comment makes each load a new module: the loader caches data: URLs by their text, and a config may
    // read something else (a file, the environment) that changed since.
    const source = `${code}\n// ${absolute} ${process.hrtime.bigint()}\n`;
    const module = (await import(`data:text/javascript,${encodeURIComponent(source)}`)) as {
      default?: unknown;
    };
    loaded = module.default;
  } catch (error) {
    if (error instanceof Error && (error as { code?: unknown }).code === 'PRX9001') {
      throw new ConfigError(error.message, (error as { key?: string }).key, inputs);
    }
    throw new ConfigError(
      `Cannot load config ${absolute}: ${withoutDataUrl(thrownMessage(error), absolute)}`,
      undefined,
      inputs,
    );
  }
  if (loaded === undefined) {
    throw new ConfigError(
      `Config ${absolute} has no default export (export default defineConfig({ ... }))`,
      undefined,
      inputs,
    );
  }
  return resolveConfig(absolute, loaded, imports);
}
