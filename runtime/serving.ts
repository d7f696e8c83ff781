// Marks what a child serves before it loads the worker module, so that the module cannot start that worker again.
// Apart from resolve.ts, whose require() a child has no use for: node:module would only slow its start.
import { ModuleResolutionError } from './errors.js';

const servingKey = Symbol.for('procxy.serving');

interface Serving {
  readonly moduleUrl: string;
  readonly className: string;
  /** The module is still being imported: its top-level code runs in every child that serves a class of it. */
  loading: boolean;
}

function serving(): Serving | undefined {
  return (globalThis as Record<symbol, Serving | undefined>)[servingKey];
}

export function markServing(moduleUrl: string, className: string): void {
  (globalThis as Record<symbol, Serving>)[servingKey] = { moduleUrl, className, loading: true };
}

/** The worker module is imported: its top-level code is done. */
export function markLoaded(): void {
  const current = serving();
  if (current !== undefined) current.loading = false;
}

/**
 * Refuses to start, inside a child, the very worker that child is serving, or any worker of its module while that
 * module loads: the module would do it again in that child, and so on, forever (two classes starting each other).
 */
export function refuseRecursion(moduleUrl: string, className: string): void {
  const current = serving();
  if (current === undefined || current.moduleUrl !== moduleUrl) return;
  if (current.className === className) {
    throw new ModuleResolutionError(
      `${className} would start itself again: its module (${moduleUrl}) calls procxy(${className}) while the child loads it. ` +
        'Move that call to another module, or pass modulePath to a module without it',
    );
  }
  if (current.loading) {
    throw new ModuleResolutionError(
      `${className} would be started by its module (${moduleUrl}) while a child serving ${current.className} loads it, and so again in that worker's child, without end. ` +
        'Call procxy() from a function rather than at the top level of the worker module, or move the call to another module',
    );
  }
}
