// Loads procxy.config.ts on plain Node: esbuild bundles it (packages stay external), then it is imported.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ConfigError, type ConfigSerializationMode, TRANSFER_TYPE, validateConfig } from './config.js';

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
}

/** Makes a validated config absolute against the folder of `file`. */
export function resolveConfig(file: string, value: unknown): ResolvedConfig {
  const config = validateConfig(value);
  const root = path.dirname(file);
  let tsconfig: string | undefined;
  if (config.tsconfig !== undefined) {
    tsconfig = path.resolve(root, config.tsconfig);
    if (!existsSync(tsconfig)) {
      throw new ConfigError(`Invalid option "tsconfig": ${config.tsconfig} does not exist`, 'tsconfig');
    }
  } else if (existsSync(path.join(root, 'tsconfig.json'))) {
    tsconfig = path.join(root, 'tsconfig.json');
  }
  const transferTypes = (config.transferTypes ?? []).map((entry, index): TransferType => {
    const [, module, name] = TRANSFER_TYPE.exec(entry)!;
    const key = `transferTypes[${index}]`;
    const absolute = path.resolve(root, module!);
    if (!existsSync(absolute)) {
      throw new ConfigError(`Invalid option "${key}": ${module} does not exist (in '${entry}')`, key);
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
  };
}

/** Bundles and imports a config file, then validates it; every failure is a ConfigError. */
export async function loadConfig(file: string): Promise<ResolvedConfig> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new ConfigError(`Config file not found: ${absolute}`);
  let code: string;
  try {
    const result = await build({
      entryPoints: [absolute],
      write: false,
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
    });
    code = result.outputFiles[0]!.text;
  } catch (error) {
    throw new ConfigError(`Cannot compile config ${absolute}: ${(error as Error).message}`);
  }
  // A temp file beside the config (not a data: URL) so its bare imports resolve from the user's node_modules.
  const temp = `${absolute}.${process.pid}.${Date.now()}.mjs`;
  let loaded: unknown;
  try {
    writeFileSync(temp, code);
    const module = (await import(pathToFileURL(temp).href)) as { default?: unknown };
    loaded = module.default;
  } catch (error) {
    if (error instanceof Error && (error as { code?: unknown }).code === 'PRX9001') {
      throw new ConfigError(error.message, (error as { key?: string }).key);
    }
    throw new ConfigError(`Cannot load config ${absolute}: ${(error as Error).message}`);
  } finally {
    rmSync(temp, { force: true });
  }
  if (loaded === undefined) {
    throw new ConfigError(`Config ${absolute} has no default export (export default defineConfig({ ... }))`);
  }
  return resolveConfig(absolute, loaded);
}
