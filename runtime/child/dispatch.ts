// The dispatch table: which methods of a worker class may be called, by index, and nothing else.
import { EventEmitter } from '../builtins.js';
import { isServedName } from '../method-names.js';

export type WorkerClass = abstract new (...args: never[]) => object;

const stopAt: ReadonlySet<object> = new Set([Object.prototype, EventEmitter.prototype, Function.prototype]);

/**
 * Own methods along the class's prototype chain, nearest first, stopping before Object and EventEmitter. An
 * EventEmitter worker's overrides of EventEmitter members (a typed `emit`, `on`) are not served: the proxy keeps
 * those names for the child's events, as the generator and the Procxy type do (a remote `removeAllListeners` would
 * also remove the listeners that forward events to the parent).
 */
export function allowList(Class: WorkerClass): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const emitter = Class.prototype instanceof EventEmitter;
  for (let p = Class.prototype as object | null; p !== null && !stopAt.has(p); p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const d = Object.getOwnPropertyDescriptor(p, name)!;
      if (typeof d.value !== 'function' || !isServedName(name)) continue;
      if (!(emitter && name in EventEmitter.prototype)) names.push(name);
    }
  }
  return names;
}

/** Resolves the table's names to functions once; a name that is not an allowed method is an error. */
export function resolveTable(Class: WorkerClass, methods: readonly string[]): Function[] {
  const allowed = new Set(allowList(Class));
  return methods.map((name) => {
    if (!allowed.has(name)) {
      throw new TypeError(
        `Class ${Class.name} has no callable method '${name}'; regenerate the procxy stubs`,
      );
    }
    return (Class.prototype as Record<string, Function>)[name]!;
  });
}
