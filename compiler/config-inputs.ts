// The files besides the config whose edits change what a generator is (its compiler options): --watch and the
// esbuild plugin make a new generator when one of them changes.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { ResolvedConfig } from './load-config.js';

/**
 * The config file and the files it imports, its tsconfig with every tsconfig that one `extends` (missing ones too, so
 * that creating them is seen), and `tsconfig.json` beside the config, which becomes the default tsconfig when it
 * appears.
 */
export function configInputs(config: ResolvedConfig): string[] {
  const files = new Set([config.file, ...config.imports, path.join(config.root, 'tsconfig.json')]);
  if (config.tsconfig !== undefined) {
    files.add(config.tsconfig);
    const source = ts.readJsonConfigFile(config.tsconfig, ts.sys.readFile);
    // Parsing is what follows `extends` (its errors are the generator's to report); listing the project's files is
    // not needed for that, so the host lists none.
    ts.parseJsonSourceFileConfigFileContent(
      source,
      { ...ts.sys, readDirectory: () => [] },
      path.dirname(config.tsconfig),
      undefined,
      config.tsconfig,
    );
    for (const file of source.extendedSourceFiles ?? []) files.add(path.resolve(file));
  }
  return [...files];
}
