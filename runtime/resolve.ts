// Where the worker module is: an explicit path or URL made absolute, or the caller's own module when it exports the class.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModuleResolutionError } from './errors.js';

const require = createRequire(import.meta.url);

/** An absolute file path for `modulePath`; relative paths resolve against process.cwd(). */
export function resolveModulePath(modulePath: string | URL): string {
  let file: string;
  if (modulePath instanceof URL || modulePath.startsWith('file:')) {
    const url = modulePath instanceof URL ? modulePath : new URL(modulePath);
    if (url.protocol !== 'file:') {
      throw new ModuleResolutionError(`modulePath must be a file path or a file: URL, got ${url.href}`);
    }
    try {
      file = fileURLToPath(url);
    } catch (error) {
      // A host (file://server/x) or an encoded slash: no local file, which Node says in a TypeError of its own.
      throw new ModuleResolutionError(
        `modulePath ${url.href} is not a local file: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  } else if (modulePath === '') {
    throw new ModuleResolutionError(
      'modulePath is empty: pass the path of the module that exports the class',
    );
  } else {
    file = isAbsolute(modulePath) ? modulePath : resolve(process.cwd(), modulePath);
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ModuleResolutionError(`Worker module not found: ${file} (from ${String(modulePath)})`);
  }
  return file;
}

/**
 * The call sites from `below`'s caller on, as V8 records them: their file names are the running files, where a stack's
 * text holds what source maps made of them (`--enable-source-maps` names the .ts a .js was built from), and a path
 * needs no parsing (it may hold parentheses or colons).
 */
export function callSites(below: Function): readonly NodeJS.CallSite[] {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (_, sites) => sites;
  try {
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, below);
    return Array.isArray(holder.stack) ? (holder.stack as NodeJS.CallSite[]) : [];
  } finally {
    Error.prepareStackTrace = previous;
  }
}

/** The file of the first call site in a file (a path, or a file: URL for ES modules). */
function callerFile(sites: readonly NodeJS.CallSite[]): string | undefined {
  for (const site of sites) {
    const name = site.getFileName();
    if (name === undefined || name === null) continue;
    if (name.startsWith('file:')) return fileURLToPath(name);
    if (isAbsolute(name)) return name;
  }
  return undefined;
}

function exportsClass(file: string, Class: Function): boolean {
  const cached = (require.cache as Record<string, { exports?: unknown } | undefined>)[file]?.exports;
  if (
    cached === Class ||
    (typeof cached === 'object' && cached !== null && Object.values(cached).includes(Class))
  ) {
    return true;
  }
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  // The child imports the module and looks for an export of the class's name (or one holding a class of that name),
  // so an export that names it is what counts: a declaration, a binding (`export const Calc = class`), a default
  // export of it, or an export list (`export { Calc }`, `export { Calc as Other }`).
  // An identifier's edges as JavaScript draws them (`\\b` takes `$` and letters past ASCII for none).
  const name = `(?<![\\p{ID_Continue}$\\u200c\\u200d])${Class.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{ID_Continue}$\\u200c\\u200d])`;
  return new RegExp(
    [
      `export\\s+(?:default\\s+)?(?:abstract\\s+)?class\\s+${name}`,
      `export\\s+(?:const|let|var)\\s+${name}`,
      `export\\s+default\\s+${name}\\s*(?:;|$)`,
      `export\\s*\\{[^}]*${name}`,
    ].join('|'),
    'mu',
  ).test(source);
}

/** The module of the code that called procxy, if it exports `Class` by its name. */
export function findCallerModule(Class: Function, sites: readonly NodeJS.CallSite[]): string {
  const file = callerFile(sites);
  if (file !== undefined && exportsClass(file, Class)) return file;
  throw new ModuleResolutionError(
    `Cannot tell which module exports class ${Class.name || '(anonymous)'}${file ? ` (the caller, ${file}, does not)` : ''}. ` +
      `Pass it: procxy(${Class.name || 'Class'}, new URL('./path/to/module.js', import.meta.url))`,
  );
}
