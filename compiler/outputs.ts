// Where generated files go, and finding generated files (by their header) that no source produces any more.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseHeader } from './emit.js';
import type { GlobSet, WalkedFolder } from './glob.js';

/** Worker candidates: TypeScript sources, never declaration files or procxy's own output. */
export function isWorkerCandidate(file: string): boolean {
  return /\.[cm]?tsx?$/.test(file) && !/\.d\.[cm]?tsx?$/.test(file) && !STUB_FILE.test(file);
}

export function isGeneratedName(file: string): boolean {
  return /\.procxy\.(?:[cm]?ts|child\.mjs)$/.test(file);
}

/** Posix path of `file` relative to `root`. */
export function posixRelative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** Where the outputs of `source` go: beside it, or under outDir mirroring its path relative to root. */
function outputBase(source: string, root: string, outDir: string | undefined): string {
  const base = outDir === undefined ? source : path.join(outDir, path.relative(root, source));
  return base.replace(/\.[cm]?tsx?$/, '');
}

export function stubPath(source: string, root: string, outDir: string | undefined): string {
  const module = /\.[cm]ts$/.test(source) ? '.procxy.mts' : '.procxy.ts';
  return outputBase(source, root, outDir) + module;
}

/** An import specifier that may name a generated stub (`./calc.worker.procxy.js`), as an esbuild filter. */
export const STUB_SPECIFIER = /\.procxy(?:\.[cm]?[jt]s)?$/;
/** A generated stub's file, as an esbuild filter. */
export const STUB_FILE = /\.procxy\.[cm]?ts$/;

/** The generated stub a specifier such as `./calc.worker.procxy.js` names, among the files of this run. */
export function stubFor(
  specifier: string,
  resolveDir: string,
  files: ReadonlyMap<string, string>,
): string | undefined {
  const absolute = path.resolve(resolveDir, specifier);
  const candidates = [
    absolute.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts'),
    absolute,
    `${absolute}.ts`,
    `${absolute}.mts`,
  ];
  return candidates.find((candidate) => files.has(candidate));
}

/**
 * The folder esbuild resolves a stub's imports from: its own, or, under an outDir not made yet, the nearest one that
 * exists, as esbuild finds no package from a folder that does not. Only packages need it: the stub's imports of its
 * worker are type-only, so they are gone before anything resolves them.
 */
export function existingFolder(folder: string): string {
  let at = folder;
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

/** One child per worker class: `foo.procxy.child.mjs`, or `foo.<Class>.procxy.child.mjs` when a file has several. */
export function childPath(
  source: string,
  root: string,
  outDir: string | undefined,
  className: string,
  several: boolean,
): string {
  return `${outputBase(source, root, outDir)}${several ? `.${className}` : ''}.procxy.child.mjs`;
}

/** First line of a file (generated files are small, so reading it whole is fine). */
function firstLine(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  } catch {
    return undefined;
  }
}

/**
 * Generated files in `folders` (a walk: see walkFolders) whose header names a source that `globs` selects, that sit
 * where that source's outputs go, and that this run did not produce. Files without the header are never reported
 * (so never deleted), nor are copies elsewhere (a child entry copied next to compiled stubs, say), nor files of
 * sources the globs do not select: those may be another config's (one per serialization mode over one folder), which
 * this run must not delete. A folder is judged by the name the walk reached it by, the name the worker scan gives
 * the sources in it, so the outputs of a worker in a linked folder are where they are looked for; a link to a
 * generated file is never one.
 */
export function findOrphans(options: {
  readonly folders: readonly WalkedFolder[];
  readonly globs: GlobSet;
  readonly produced: ReadonlySet<string>;
  readonly root: string;
  readonly outDir: string | undefined;
}): string[] {
  const { globs, produced, root, outDir } = options;
  const orphans = new Set<string>();
  for (const folder of options.folders) {
    for (const file of folder.files) {
      const full = path.join(folder.path, file.name);
      if (!file.linked && isLeftPartial(file.name)) orphans.add(full);
      if (file.linked || !isGeneratedName(file.name) || produced.has(full)) continue;
      const line = firstLine(full);
      const source = line === undefined ? undefined : parseHeader(line);
      if (source === undefined || !globs.matches(source)) continue;
      if (path.dirname(outputBase(path.resolve(root, source), root, outDir)) === folder.path)
        orphans.add(full);
    }
  }
  return [...orphans].sort();
}

/** What writeOutput writes before it renames, named for the process writing it. */
const PARTIAL = /\.procxy\.(?:[cm]?ts|child\.mjs)\.(\d+)\.partial$/;

/** A file writeOutput left half-written when its process was killed (it lives no more): an orphan too. */
function isLeftPartial(name: string): boolean {
  const pid = PARTIAL.exec(name)?.[1];
  if (pid === undefined) return false;
  // This run renamed or removed each of its own: one with its pid is an earlier run's (pid 1 in a container, say).
  if (Number(pid) === process.pid) return true;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Writes a generated file whole or not at all: to a file of its own beside it, then renamed over it, so a reader (a
 * second `procxy generate`, its --check, node, tsc) sees the old text or the new, never a truncated one.
 */
export function writeOutput(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  try {
    writeFileSync(partial, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A folder this user may not add files to, with outputs it may write: in place, as the only way left.
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    writeFileSync(file, text);
    return;
  }
  try {
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
