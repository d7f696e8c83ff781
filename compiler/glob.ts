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
  const alternatives = expandBraces(pattern.replace(/^\.\//, '')).map(globSource);
  return new RegExp(`^(?:${alternatives.join('|')})$`);
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

/** A set of include/exclude globs relative to one folder. */
export class GlobSet {
  readonly #include: RegExp[];
  readonly #exclude: RegExp[];
  readonly #bases: string[];

  constructor(patterns: readonly string[]) {
    const includes = patterns.filter((p) => !p.startsWith('!'));
    this.#include = includes.map(globToRegExp);
    this.#exclude = patterns.filter((p) => p.startsWith('!')).map((p) => globToRegExp(p.slice(1)));
    // Per brace alternative: `{src,lib}/*.ts` reads src and lib, not the whole folder.
    this.#bases = [...new Set(includes.flatMap((p) => expandBraces(p).map(staticBase)))].sort();
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
   * Every matching file under `root`, as sorted absolute paths; skips node_modules and dot folders. Symbolic links
   * to files, and to folders inside `root`, are followed (a Dirent of a link is neither a file nor a folder, so they used to be
   * skipped); a folder is read once by its real path, which ends link loops (`src/loop -> ..`) and keeps one worker
   * from being found, and generated, under two names. Real folders are read before linked ones, so a file reachable
   * both ways keeps its real path.
   */
  scan(root: string): string[] {
    // By real path: a file linked under a second name (`alias.worker.ts -> w.worker.ts`) is one worker, and its real
    // name wins over a link's, so it is not generated twice.
    const found = new Map<string, { readonly name: string; readonly linked: boolean }>();
    const add = (real: string, name: string, linked: boolean): void => {
      if (linked && found.has(real)) return;
      if (!linked && found.get(real)?.linked === false) return;
      found.set(real, { name, linked });
    };
    // A linked folder outside the project (`bazel-out -> /tmp/elsewhere`, `bazel-usr -> /usr`) is not the
    // project's: following it would write outputs there and read whole foreign trees.
    let realRoot: string;
    try {
      realRoot = realpathSync(root);
    } catch {
      return [];
    }
    const inside = (real: string): boolean => real === realRoot || real.startsWith(`${realRoot}${path.sep}`);
    const read = new Set<string>();
    const linked: { readonly relative: string; readonly real: string }[] = [];
    const walk = (relative: string, real: string): void => {
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
      for (const entry of entries) {
        const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
        const skipped = entry.name === 'node_modules' || entry.name.startsWith('.');
        if (entry.isDirectory()) {
          if (!skipped) walk(child, path.join(real, entry.name));
        } else if (entry.isFile()) {
          if (this.matches(child)) add(path.join(real, entry.name), path.join(root, child), false);
        } else if (entry.isSymbolicLink()) {
          let target: string;
          let stats: Stats;
          try {
            target = realpathSync(path.join(real, entry.name));
            stats = statSync(target);
          } catch {
            continue; // A dangling link names nothing to scan.
          }
          if (stats.isDirectory()) {
            if (!skipped && inside(target)) linked.push({ relative: child, real: target });
          } else if (stats.isFile() && this.matches(child)) add(target, path.join(root, child), true);
        }
      }
    };
    const bases = this.#bases.filter(
      (base) => !this.#bases.some((b) => b !== base && base.startsWith(`${b}/`)),
    );
    for (const base of bases.includes('') ? [''] : bases) {
      let real: string;
      try {
        real = realpathSync(path.join(root, base));
      } catch {
        continue;
      }
      walk(base, real);
    }
    for (let next = linked.shift(); next !== undefined; next = linked.shift()) walk(next.relative, next.real);
    return [...found.values()].map((f) => f.name).sort();
  }
}
