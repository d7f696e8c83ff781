// The dispatch table: which methods of a worker class may be called, by index, and nothing else.
import { EventEmitter } from '../builtins.js';
import { isServedName } from '../method-names.js';

export type WorkerClass = abstract new (...args: never[]) => object;

const stopAt: ReadonlySet<object> = new Set([Object.prototype, EventEmitter.prototype, Function.prototype]);

let builtinPrototypes: Set<object> | undefined;
/** The globals before the worker's module ran: a class it (or a package) puts on globalThis is no built-in. */
const globalNames = Object.getOwnPropertyNames(globalThis);

/**
 * The prototypes of the classes JavaScript and Node hand out as they are: the globals (Map, Error, URL,
 * EventTarget) and the exports of Node's loaded modules (EventEmitter, the streams, net.Socket); a worker's chain can
 * only reach a module's classes once the module is loaded. Data properties only: a getter (a lazy global such as
 * AbortController, fs.WriteStream) would load more, so those classes are not known.
 */
function knownBuiltins(): Set<object> {
  if (builtinPrototypes !== undefined) return builtinPrototypes;
  const found = new Set<object>();
  const addClass = (value: unknown) => {
    const prototype: unknown =
      typeof value === 'function' ? (value as { prototype?: unknown }).prototype : undefined;
    if (typeof prototype === 'object' && prototype !== null) found.add(prototype);
  };
  const addAll = (holder: unknown) => {
    if (typeof holder !== 'object' && typeof holder !== 'function') return;
    for (const d of Object.values(Object.getOwnPropertyDescriptors(holder))) addClass(d.value);
  };
  for (const name of globalNames) addClass(Object.getOwnPropertyDescriptor(globalThis, name)?.value);
  const { builtinModules } = process.getBuiltinModule('node:module');
  // Undocumented, but Node's own record of what it loaded; without it, the stream classes (the child's channel
  // loaded them) are the ones a worker extends.
  const list: unknown = (process as { moduleLoadList?: unknown }).moduleLoadList;
  const loaded = Array.isArray(list)
    ? list.flatMap((entry) =>
        typeof entry === 'string' && entry.startsWith('NativeModule ') ? [entry.slice(13)] : [],
      )
    : ['stream'];
  for (const name of loaded) {
    if (!builtinModules.includes(name)) continue;
    const exported: unknown = process.getBuiltinModule(`node:${name}`);
    addClass(exported);
    addAll(exported);
  }
  builtinPrototypes = found;
  return found;
}

/**
 * Whether a prototype is a built-in's, whose members are not the worker's methods (as the generator leaves out
 * what is declared in TypeScript's lib files and @types/node). Not judged by a native constructor: a native addon's
 * class (a package's) has one too.
 */
function isBuiltin(p: object): boolean {
  return stopAt.has(p) || knownBuiltins().has(p);
}

/**
 * Own methods along the class's prototype chain, nearest first, stopping at the first built-in (Object, EventEmitter,
 * Map, a stream...; see knownBuiltins): an override of a built-in's method in the worker's own class is served. An
 * EventEmitter worker's overrides of EventEmitter members (a typed `emit`, `on`) are not served: the proxy keeps
 * those names for the child's events, as the generator and the Procxy type do (a remote `removeAllListeners` would
 * also remove the listeners that forward events to the parent).
 */
export function allowList(Class: WorkerClass): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const emitter = Class.prototype instanceof EventEmitter;
  const own = Class.prototype as object;
  // The worker's own class is taken for none but Object or EventEmitter (procxy(EventEmitter) serves nothing): only a
  // worker with a base class of its own pays for knownBuiltins().
  const builtin = (p: object) => (p === own ? stopAt.has(p) : isBuiltin(p));
  for (let p: object | null = own; p !== null && !builtin(p); p = Object.getPrototypeOf(p)) {
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
