// A small glob matcher (Node 20 has no fs.glob): `**`, `*`, `?`, `{a,b}`, `[abc]`, and `!` negation.
import { type Dirent, readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';

const SPECIAL = /[*?{}[\]]/;

function escapeRegex(text: string): string {
  return text.replace(/[.+^$()|\\{}]/g, '\\$&');
}

/** The index of the `]` closing a `[...]` class opened at `open`, or -1 when it is a literal `[`. */
function classEnd(pattern: string, open: number): number {
  return pattern.indexOf(']', open + 2);
}

/** The index of the `}` matching the `{` at `open` (classes skipped), or -1 when it is unbalanced. */
function braceEnd(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === '[') {
      const end = classEnd(pattern, i);
      if (end !== -1) i = end;
    } else if (pattern[i] === '{') depth++;
    else if (pattern[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** The top-level comma-separated parts of a brace body (`a,{b,c},d` -> `a`, `{b,c}`, `d`). */
function splitBraces(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '[') {
      const end = classEnd(body, i);
      if (end !== -1) i = end;
    } else if (body[i] === '{') depth++;
    else if (body[i] === '}') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/**
 * Every pattern a glob's braces stand for (`src/{a,b/c}.ts` -> `src/a.ts`, `src/b/c.ts`). Braces are expanded before
 * the pattern is split into path segments, since an alternative may hold a `/` or a `**`; an unbalanced `{` stays
 * a literal character.
 */
export function expandBraces(pattern: string): string[] {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '[') {
      const end = classEnd(pattern, i);
      if (end !== -1) i = end;
    } else if (pattern[i] === '{') {
      const end = braceEnd(pattern, i);
      if (end === -1) continue;
      const before = pattern.slice(0, i);
      const rest = expandBraces(pattern.slice(end + 1));
      return splitBraces(pattern.slice(i + 1, end)).flatMap((part) =>
        expandBraces(before + part).flatMap((head) => rest.map((tail) => head + tail)),
      );
    }
  }
  return [pattern];
}

function segmentSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const end = classEnd(pattern, i);
      if (end === -1) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else out += escapeRegex(char);
  }
  return out;
}

/** The regex source of a glob without braces. */
function globSource(pattern: string): string {
  const segments = pattern.split('/');
  let out = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') out += last ? '.*' : '(?:[^/]+/)*';
    else out += segmentSource(segment) + (last ? '' : '/');
  });
  return out;
}

/** Compiles a posix glob (relative, no leading `!`) to a regex over posix relative paths. */
export function globToRegExp(pattern: string): RegExp {
  return alternativesToRegExp(expandBraces(pattern.replace(/^\.\//, '')));
}

function alternativesToRegExp(alternatives: readonly string[]): RegExp {
  return new RegExp(`^(?:${alternatives.map(globSource).join('|')})$`);
}

/**
 * A glob without braces with its fixed leading folders resolved against `root`, as the paths it is matched against
 * are: from `app/`, `../app/*.ts` is `*.ts`, and `x/../a.ts` is `a.ts` anywhere.
 */
function againstRoot(pattern: string, root: string): string {
  const relative = pattern.replace(/^\.\//, '');
  const base = staticBase(relative);
  if (base === '') return relative;
  const rest = relative.slice(base.length + 1);
  const resolved = posixRelative(root, path.resolve(root, base));
  return resolved === '' ? rest : `${resolved}/${rest}`;
}

/** The folder a glob without braces can only match inside (its leading segments without glob characters). */
function staticBase(pattern: string): string {
  const segments = pattern.replace(/^\.\//, '').split('/');
  const base: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (SPECIAL.test(segment)) break;
    base.push(segment);
  }
  return base.join('/');
}

/** A file a walk met: its name in the folder, its real path, and whether it was reached through a link to the file. */
export interface WalkedFile {
  readonly name: string;
  readonly real: string;
  readonly linked: boolean;
}

/** A folder a walk read, by the path it was reached by (a link's when through a link), with its files. */
export interface WalkedFolder {
  readonly path: string;
  /** Reached through a link to it or to a folder above it (within the walk), so `path` is not its real path. */
  readonly linked: boolean;
  readonly files: readonly WalkedFile[];
}

function isInside(dir: string, file: string): boolean {
  return file === dir || file.startsWith(`${dir}${path.sep}`);
}

/**
 * Whether `dir`, inside `root` by its path, is a link (or lies below one) to a folder outside it: a glob base such as
 * `vendor/**` with `vendor -> /elsewhere` is skipped, as the same link met below a base is. A base named outside the
 * root by its path (`../shared/*.ts`) is the user's choice, and is read.
 */
function linksOut(root: string, dir: string): boolean {
  if (!isInside(root, dir)) return false;
  try {
    return !isInside(realpathSync(root), realpathSync(dir));
  } catch {
    return false; // Missing: nothing to read either way.
  }
}

/**
 * `dirs` (absolute) and every folder below them, skipping node_modules and dot folders. Links to files are listed
 * (a dangling one is not); links to folders are followed when the folder is inside `root`: a linked folder outside
 * the project (`bazel-out -> /tmp/elsewhere`, `bazel-usr -> /usr`) is not the project's, and following it would
 * write outputs there and read whole foreign trees. A folder is read once, by its real path, which ends link loops
 * (`src/loop -> ..`); real folders are read before linked ones, so a folder reachable both ways keeps its real name.
 * The glob scan, the orphan scan and the watch mode all see the project through this one walk.
 */
export function walkFolders(root: string, dirs: readonly string[]): WalkedFolder[] {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return [];
  }
  const folders: WalkedFolder[] = [];
  const read = new Set<string>();
  const linked: { readonly path: string; readonly real: string }[] = [];
  const walk = (dir: string, real: string, throughLink: boolean): void => {
    if (read.has(real)) return;
    read.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(real, { withFileTypes: true });
    } catch {
      return;
    }
    // Sorted, so which of two links to one folder names it does not depend on the file system's order.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files: WalkedFile[] = [];
    folders.push({ path: dir, linked: throughLink, files });
    for (const entry of entries) {
      const skipped = entry.name === 'node_modules' || entry.name.startsWith('.');
      if (entry.isDirectory()) {
        if (!skipped) walk(path.join(dir, entry.name), path.join(real, entry.name), throughLink);
      } else if (entry.isFile()) {
        files.push({ name: entry.name, real: path.join(real, entry.name), linked: false });
      } else if (entry.isSymbolicLink()) {
        let target: string;
        let stats: Stats;
        try {
          target = realpathSync(path.join(real, entry.name));
          stats = statSync(target);
        } catch {
          continue; // A dangling link names nothing to read.
        }
        if (stats.isDirectory()) {
          if (!skipped && isInside(realRoot, target))
            linked.push({ path: path.join(dir, entry.name), real: target });
        } else if (stats.isFile()) files.push({ name: entry.name, real: target, linked: true });
      }
    }
  };
  const starts = dirs.filter((dir) => !dirs.some((other) => other !== dir && isInside(other, dir)));
  for (const dir of [...new Set(starts)]) {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      continue;
    }
    // A root that is itself reached through a link (a linked home folder) does not make every file a linked one.
    walk(dir, real, real !== path.join(realRoot, path.relative(root, dir)));
  }
  for (let next = linked.shift(); next !== undefined; next = linked.shift()) walk(next.path, next.real, true);
  return folders;
}

/** A set of include/exclude globs relative to one folder. */
export class GlobSet {
  readonly #include: RegExp[];
  readonly #exclude: RegExp[];
  readonly #bases: string[];

  /** `root`, when given, is the folder the globs are relative to: see againstRoot. */
  constructor(patterns: readonly string[], root?: string) {
    const alternatives = (pattern: string): string[] =>
      expandBraces(pattern).map((p) => (root === undefined ? p.replace(/^\.\//, '') : againstRoot(p, root)));
    const includes = patterns.filter((p) => !p.startsWith('!')).map(alternatives);
    this.#include = includes.map(alternativesToRegExp);
    this.#exclude = patterns
      .filter((p) => p.startsWith('!'))
      .map((p) => alternativesToRegExp(alternatives(p.slice(1))));
    // Per brace alternative: `{src,lib}/*.ts` reads src and lib, not the whole folder.
    this.#bases = [...new Set(includes.flat().map(staticBase))].sort();
  }

  /** Whether a posix path relative to the glob folder is selected. */
  matches(relativePath: string): boolean {
    return (
      this.#include.some((r) => r.test(relativePath)) && !this.#exclude.some((r) => r.test(relativePath))
    );
  }

  /** Folders (relative) that must be read to find every match. */
  get bases(): readonly string[] {
    return this.#bases;
  }

  /**
   * The folders read to find every match under `root` (walkFolders from each base: links to files, and to folders
   * inside `root`, are followed), and the matching files as sorted absolute paths, each by the name it was found
   * under. By real path, a file linked under a second name (`alias.worker.ts -> w.worker.ts`) is one file, and its
   * real name wins over a link's, so one worker is not generated twice; `linked` maps the name of each file found
   * through a link (to it or to a folder above it) to its real path. A base that is a link out of `root` is not
   * read: `linkedOut` lists them (relative), so that finding nothing can say why.
   */
  walk(root: string): {
    readonly folders: readonly WalkedFolder[];
    readonly files: string[];
    readonly linked: ReadonlyMap<string, string>;
    readonly linkedOut: readonly string[];
  } {
    const linkedOut = this.#bases.filter((base) => linksOut(root, path.join(root, base)));
    const folders = walkFolders(
      root,
      this.#bases.filter((base) => !linkedOut.includes(base)).map((base) => path.join(root, base)),
    );
    const found = new Map<
      string,
      { readonly name: string; readonly linked: boolean; readonly inLinked: boolean }
    >();
    for (const folder of folders) {
      for (const file of folder.files) {
        const name = path.join(folder.path, file.name);
        if (!this.matches(posixRelative(root, name))) continue;
        const existing = found.get(file.real);
        if (existing !== undefined && (file.linked || !existing.linked)) continue;
        found.set(file.real, { name, linked: file.linked, inLinked: folder.linked });
      }
    }
    const linked = new Map<string, string>();
    for (const [real, file] of found) if (file.linked || file.inLinked) linked.set(file.name, real);
    return { folders, files: [...found.values()].map((f) => f.name).sort(), linked, linkedOut };
  }
}

function posixRelative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
