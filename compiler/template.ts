// Fills the files of templates/ ({{name}} placeholders); a missing or unused value is a bug, so it throws.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let templatesDir: string | undefined;

/** templates/ sits at the package root: two levels above dist/compiler/, one above compiler/. */
function findTemplates(): string {
  if (templatesDir !== undefined) return templatesDir;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(candidate, 'parent.ts.tpl'))) {
      templatesDir = candidate;
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`procxy: cannot find its templates/ folder above ${import.meta.url}`);
    dir = parent;
  }
}

const cache = new Map<string, string>();

/** The text of templates/<name>, read once per process. */
export function loadTemplate(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(findTemplates(), name), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Replaces every `{{key}}` in the template; throws on a placeholder without value or a value without placeholder. */
export function fill(name: string, values: Readonly<Record<string, string>>): string {
  const used = new Set<string>();
  const text = loadTemplate(name).replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`procxy: template ${name} needs a value for {{${key}}}`);
    used.add(key);
    return value;
  });
  const unused = Object.keys(values).filter((key) => !used.has(key));
  if (unused.length > 0)
    throw new Error(`procxy: template ${name} has no placeholder for ${unused.join(', ')}`);
  return text;
}
