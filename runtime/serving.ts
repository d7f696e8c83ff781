// Marks what a child serves before it loads the worker module, so that the module cannot start that worker again.
// Apart from resolve.ts, whose require() a child has no use for: node:module would only slow its start.
import { ModuleResolutionError } from './errors.js';

const servingKey = Symbol.for('procxy.serving');

export function markServing(moduleUrl: string, className: string): void {
  (globalThis as Record<symbol, unknown>)[servingKey] = `${className} ${moduleUrl}`;
}

/** Refuses to start, inside a child, the very worker that child is serving: its module would do it again, forever. */
export function refuseRecursion(moduleUrl: string, className: string): void {
  if ((globalThis as Record<symbol, unknown>)[servingKey] === `${className} ${moduleUrl}`) {
    throw new ModuleResolutionError(
      `${className} would start itself again: its module (${moduleUrl}) calls procxy(${className}) while the child loads it. ` +
        'Move that call to another module, or pass modulePath to a module without it',
    );
  }
}
