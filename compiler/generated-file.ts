// A generated TypeScript file whose imports are collected lazily and named without collisions (like protobuf-es).
import path from 'node:path';
import { memberKey } from './signature-text.js';
import type { ModuleRef, TypeText } from './type-text.js';

interface ImportEntry {
  readonly specifier: string;
  /** Export name, 'default', or '*' for a namespace import. */
  readonly name: string;
  readonly preferred: string;
  typeOnly: boolean;
  local?: string;
}

const TOKEN = /\uE000(\d+)\uE000/g;

/** `./x` or `../x`: a path. A name that merely starts with a dot (`.shared/x`) would be read as a package. */
function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/** Posix specifier of `target` as seen from a file in `fromDir`. */
export function relativeSpecifier(fromDir: string, target: string): string {
  const relative = path.relative(fromDir, target).split(path.sep).join('/');
  return isRelative(relative) ? relative : `./${relative}`;
}

export class GeneratedFile {
  readonly #dir: string;
  readonly #reserved: Set<string>;
  readonly #imports: ImportEntry[] = [];
  readonly #byKey = new Map<string, number>();

  /** `file` is where the generated file will live: relative imports are computed from it. */
  constructor(file: string, reserved: Iterable<string>) {
    this.#dir = path.dirname(file);
    this.#reserved = new Set(reserved);
  }

  specifier(module: ModuleRef): string {
    return module.kind === 'package' ? module.specifier : relativeSpecifier(this.#dir, module.path);
  }

  /** A token that becomes the local name of the import once the file is finished. */
  import(module: ModuleRef, name: string, preferred: string, typeOnly = true): string {
    const specifier = this.specifier(module);
    const key = `${specifier}\0${name}`;
    let index = this.#byKey.get(key);
    if (index === undefined) {
      index = this.#imports.push({ specifier, name, preferred, typeOnly }) - 1;
      this.#byKey.set(key, index);
    } else if (!typeOnly) {
      this.#imports[index]!.typeOnly = false;
    }
    return `\uE000${index}\uE000`;
  }

  /** Text of a TypeText, with tokens for its imports. */
  print(text: TypeText): string {
    return text
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part.kind === 'spec') return `'${this.specifier(part.module)}'`;
        return this.import(part.module, part.name, part.preferred);
      })
      .join('');
  }

  /** Names every import (first come, first named) and returns the import block and the body with names in. */
  finish(body: string): { imports: string; body: string } {
    const taken = new Set(this.#reserved);
    for (const entry of this.#imports) {
      let local = entry.preferred;
      for (let n = 2; taken.has(local); n++) local = `${entry.preferred}_${n}`;
      taken.add(local);
      entry.local = local;
    }
    const bySpecifier = new Map<string, ImportEntry[]>();
    for (const entry of this.#imports) {
      const key = entry.name === '*' ? `${entry.specifier}\0*${entry.local}` : entry.specifier;
      bySpecifier.set(key, [...(bySpecifier.get(key) ?? []), entry]);
    }
    const lines = [...bySpecifier.entries()]
      .sort(([a], [b]) => compareSpecifiers(a, b))
      .map(([, entries]) => importLine(entries));
    return {
      imports: lines.join('\n'),
      body: body.replace(TOKEN, (_m, index: string) => this.#imports[Number(index)]!.local!),
    };
  }
}

/** Packages first, then relative paths; each group in code-unit order so output never depends on locale. */
function compareSpecifiers(a: string, b: string): number {
  const rank = (s: string): number => (isRelative(s) ? 1 : 0);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function importLine(entries: readonly ImportEntry[]): string {
  const first = entries[0]!;
  if (first.name === '*') {
    return `import ${first.typeOnly ? 'type ' : ''}* as ${first.local} from '${first.specifier}';`;
  }
  const allTypes = entries.every((e) => e.typeOnly);
  const names = [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(
      (e) =>
        // An export named by a string (`export { Impl as 'my-worker' }`) is imported by that string.
        `${!allTypes && e.typeOnly ? 'type ' : ''}${e.name === e.local ? e.name : `${memberKey(e.name)} as ${e.local}`}`,
    );
  return `import ${allTypes ? 'type ' : ''}{ ${names.join(', ')} } from '${first.specifier}';`;
}
