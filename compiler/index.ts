// The programmatic API of the generator (`procxy/compiler`): the CLI, the tests and the esbuild plugin use it.
export type { Analysis, MethodModel, SignatureModel, WorkerModel } from './analyze.js';
export { analyze } from './analyze.js';
export type { ConfigSerializationMode, ProcxyConfig } from './config.js';
export { ConfigError, defineConfig, validateConfig } from './config.js';
export type { ProcxyDiagnostic } from './diagnostics.js';
export { formatDiagnostics } from './diagnostics.js';
export { HEADER_PREFIX, header, parseHeader } from './emit.js';
export type { GenerateOptions, GenerateResult } from './generate.js';
export { Generator, generate } from './generate.js';
export type { ResolvedConfig } from './load-config.js';
export { loadConfig, resolveConfig } from './load-config.js';
export { report } from './report.js';
export type { Watching, WatchOptions } from './watch.js';
export { watch } from './watch.js';
