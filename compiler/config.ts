// The `procxy/config` entry: defineConfig and its strict validation; imports nothing heavy on purpose.

/** How values cross the process boundary (spec 4.1). */
export type ConfigSerializationMode = 'json' | 'advanced';

/** What a `procxy.config.ts` exports by default. Paths and globs are relative to the config file's folder. */
export interface ProcxyConfig {
  /**
   * Globs of worker files; every exported class in a matching file is a worker, but for abstract classes and Error
   * subclasses (exported beside the worker for `instanceof`). A leading `!` excludes.
   */
  readonly workers: readonly string[];
  /** Serialization mode the generated stubs check and use; default `'json'`. */
  readonly serialization?: ConfigSerializationMode;
  /** Folder for generated files (mirroring the source folders); default: beside each worker source. */
  readonly outDir?: string;
  /** tsconfig whose compiler options the analysis uses; default: `tsconfig.json` beside the config if present. */
  readonly tsconfig?: string;
  /**
   * Types a transfer handler (`registerTransferHandler` from `procxy/transfer`) carries, as `'<module>#<export>'`
   * (`'src/point.ts#Point'`, the module relative to the config's folder): the check accepts them in both modes.
   */
  readonly transferTypes?: readonly string[];
}

/** A config value that is not what procxy accepts; `key` names the offending option. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'PRX9001';
  readonly key: string | undefined;
  /**
   * Absolute paths of the files a failed load read or looked for (the config, what it imports, a file an error is
   * in, an import not found): a fix to any of them may fix the config, so a watcher reloads it when one changes.
   */
  readonly inputs: readonly string[];
  constructor(message: string, key?: string, inputs: readonly string[] = []) {
    super(message);
    this.key = key;
    this.inputs = inputs;
  }
}

const KEYS = ['workers', 'serialization', 'outDir', 'tsconfig', 'transferTypes'] as const;

/** `'src/point.ts#Point'`: a module path relative to the config, then the name of a type it exports. */
export const TRANSFER_TYPE = /^([^#\0]+)#([A-Za-z_$][\w$]*)$/;
const MODES: readonly string[] = ['json', 'advanced'];

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function invalid(key: string, expected: string, value: unknown): ConfigError {
  return new ConfigError(`Invalid option "${key}": expected ${expected}, got ${describe(value)}`, key);
}

function checkPath(key: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.trim() === '' || value.includes('\0')) {
    throw invalid(key, 'a non-empty path string relative to the config folder', value);
  }
}

/** Throws a ConfigError naming the first wrong key; returns the config typed when it is valid. */
export function validateConfig(value: unknown): ProcxyConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      `Invalid config: expected an object (export default defineConfig({ workers: [...] })), got ${describe(value)}`,
    );
  }
  const record = value as Record<string, unknown>;
  let keys: string[];
  let then: unknown;
  try {
    keys = Object.keys(record);
    then = record.then;
  } catch (error) {
    throw new ConfigError(
      `Invalid config: reading its options threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof then === 'function') {
    throw new ConfigError(
      'Invalid config: expected an object, got a Promise (or another thenable); export the object itself (the config module may await at its top level before it)',
    );
  }
  for (const key of keys) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `Invalid option "${key}": unknown option (known options: ${KEYS.join(', ')})`,
        key,
      );
    }
  }
  const workers = record.workers;
  if (!Array.isArray(workers) || workers.length === 0) {
    throw invalid('workers', 'a non-empty array of glob strings', workers);
  }
  workers.forEach((glob: unknown, index) => {
    if (typeof glob !== 'string' || glob.trim() === '' || glob === '!') {
      throw invalid(`workers[${index}]`, 'a non-empty glob string', glob);
    }
    // Globs match paths relative to the config's folder: an absolute one would silently match nothing.
    if (/^!?(?:\/|\\|[A-Za-z]:[\\/])/.test(glob)) {
      throw invalid(`workers[${index}]`, "a glob relative to the config's folder", glob);
    }
  });
  if (workers.every((glob: string) => glob.startsWith('!'))) {
    throw invalid('workers', 'at least one glob that is not a negation (!...)', workers);
  }
  const mode = record.serialization;
  if (mode !== undefined && (typeof mode !== 'string' || !MODES.includes(mode))) {
    throw invalid('serialization', "'json' or 'advanced'", mode);
  }
  checkPath('outDir', record.outDir);
  checkPath('tsconfig', record.tsconfig);
  const transferTypes = record.transferTypes;
  if (transferTypes !== undefined) {
    if (!Array.isArray(transferTypes)) {
      throw invalid('transferTypes', "an array of '<module>#<exported type>' strings", transferTypes);
    }
    transferTypes.forEach((entry: unknown, index) => {
      if (typeof entry !== 'string' || !TRANSFER_TYPE.test(entry) || entry.trim() !== entry) {
        throw invalid(
          `transferTypes[${index}]`,
          "'<module path relative to the config>#<exported type name>', like 'src/point.ts#Point'",
          entry,
        );
      }
    });
  }
  return record as unknown as ProcxyConfig;
}

/** Declares a procxy config; validates eagerly so a mistake fails where it was written. */
export function defineConfig(config: ProcxyConfig): ProcxyConfig {
  return validateConfig(config);
}
