// Bundles a child entry with esbuild into one ESM file that starts on plain Node 20 (no TypeScript loader).
import path from 'node:path';
import { build, type Message } from 'esbuild';

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
      banner: { js: options.banner },
      metafile: true,
      logLevel: 'silent',
      charset: 'utf8',
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
