// A small glob matcher (Node 20 has no fs.glob): `**`, `*`, `?`, `{a,b}`, `[abc]`, and `!` negation.
import { readdirSync } from 'node:fs';
import path from 'node:path';

const SPECIAL = /[*?{}[\]]/;

function escapeRegex(text: string): string {
  return text.replace(/[.+^$()|\\]/g, '\\$&');
}

function splitBraces(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '{') depth++;
    else if (body[i] === '}') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

function segmentSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (char === '{') {
      let depth = 0;
      let end = i;
      for (; end < pattern.length; end++) {
        if (pattern[end] === '{') depth++;
        else if (pattern[end] === '}' && --depth === 0) break;
      }
      if (end >= pattern.length) out += '\\{';
      else {
        out += `(?:${splitBraces(pattern.slice(i + 1, end))
          .map(globSource)
          .join('|')})`;
        i = end;
      }
    } else out += escapeRegex(char);
  }
  return out;
}

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
  return new RegExp(`^${globSource(pattern.replace(/^\.\//, ''))}$`);
}

/** The folder a glob can only match inside (its leading segments without glob characters). */
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
    this.#bases = [...new Set(includes.map(staticBase))].sort();
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

  /** Every matching file under `root`, as sorted absolute paths; skips node_modules and dot folders. */
  scan(root: string): string[] {
    const found = new Set<string>();
    const walk = (relative: string): void => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(path.join(root, relative), { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) {
          if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
          walk(child);
        } else if (entry.isFile() && this.matches(child)) {
          found.add(path.join(root, child));
        }
      }
    };
    const bases = this.#bases.filter(
      (base) => !this.#bases.some((b) => b !== base && base.startsWith(`${b}/`)),
    );
    for (const base of bases.includes('') ? [''] : bases) walk(base);
    return [...found].sort();
  }
}
