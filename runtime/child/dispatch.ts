// The dispatch table: which methods of a worker class may be called, by index, and nothing else.
import { EventEmitter } from '../builtins.js';
import { isServedName } from '../method-names.js';

export type WorkerClass = abstract new (...args: never[]) => object;

/** The module or the class is not what the parent asked for: the parent rejects with ModuleResolutionError. */
export class ResolutionFailure extends Error {}

const stopAt: ReadonlySet<object> = new Set([Object.prototype, EventEmitter.prototype, Function.prototype]);

let moduleClasses: Set<object> | undefined;

/**
 * The prototypes of the classes Node's loaded modules export as values (EventEmitter, the streams, net.Socket, URL):
 * a worker's chain can only reach a module's classes once the module is loaded. Data properties only: a getter
 * (fs.WriteStream, fs.promises) would load more, so the classes behind one are not known.
 */
function nodeModuleClasses(): Set<object> {
  if (moduleClasses !== undefined) return moduleClasses;
  const found = new Set<object>();
  const add = (value: unknown) => {
    const prototype: unknown =
      typeof value === 'function' ? (value as { prototype?: unknown }).prototype : undefined;
    if (typeof prototype === 'object' && prototype !== null) found.add(prototype);
  };
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
    add(exported);
    if (typeof exported !== 'object' && typeof exported !== 'function') continue;
    for (const d of Object.values(Object.getOwnPropertyDescriptors(exported))) add(d.value);
  }
  moduleClasses = found;
  return found;
}

const functionSource = Function.prototype.toString;
const nativeSource = /\{\s*\[native code\]\s*\}$/;

/**
 * Node's web classes, which no module exports as a value (or which a worker reaches through globalThis). Not fetch's
 * Headers or Request: polyfills put their own there, and a worker's own class of that name is more likely.
 */
const webGlobals = new Set([
  'AbortController',
  'AbortSignal',
  'Blob',
  'BroadcastChannel',
  'CustomEvent',
  'DOMException',
  'Event',
  'EventTarget',
  'File',
  'MessageChannel',
  'MessageEvent',
  'MessagePort',
  'ReadableStream',
  'TextDecoder',
  'TextEncoder',
  'TransformStream',
  'WritableStream',
]);

/**
 * Whether `maker` is the global class of its name: a native one (Map, Error) or one of Node's web classes. A lazy
 * global not read yet (still a getter) is not the class the chain holds, and is left unread: reading Request's loads
 * fetch's implementation. A class a package or a preload puts on globalThis under another name is none.
 */
function isGlobalBuiltin(maker: Function): boolean {
  const global = Object.getOwnPropertyDescriptor(globalThis, maker.name);
  if (global === undefined || !('value' in global) || global.value !== maker) return false;
  return webGlobals.has(maker.name) || nativeSource.test(functionSource.call(maker));
}

/**
 * Whether a prototype is a built-in's, whose members are not the worker's methods (as the generator leaves out
 * what is declared in TypeScript's lib files and @types/node).
 */
function isBuiltin(p: object): boolean {
  if (stopAt.has(p)) return true;
  const maker: unknown = Object.getOwnPropertyDescriptor(p, 'constructor')?.value;
  if (typeof maker !== 'function' || maker.prototype !== p) return false;
  return isGlobalBuiltin(maker) || nodeModuleClasses().has(p);
}

/**
 * Own methods along the class's prototype chain, nearest first, stopping at the first built-in (Object, EventEmitter,
 * Map, a stream...; see isBuiltin): an override of a built-in's method in the worker's own class is served. An
 * EventEmitter worker's overrides of EventEmitter members (a typed `emit`, `on`) are not served: the proxy keeps
 * those names for the child's events, as the generator and the Procxy type do (a remote `removeAllListeners` would
 * also remove the listeners that forward events to the parent). `upToObject` stops at Object and EventEmitter only,
 * for a generated table, which the generator drew from the declarations: the child checks it names methods, and
 * does not judge the built-ins again.
 */
export function allowList(Class: WorkerClass, upToObject = false): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const emitter = Class.prototype instanceof EventEmitter;
  const own = Class.prototype as object;
  // The worker's own class is taken for none but Object or EventEmitter (procxy(EventEmitter) serves nothing): only a
  // worker with a base class of its own pays for isBuiltin().
  const builtin = (p: object) => (p === own || upToObject ? stopAt.has(p) : isBuiltin(p));
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
  const allowed = new Set(allowList(Class, true));
  return methods.map((name) => {
    if (!allowed.has(name)) {
      throw new ResolutionFailure(
        `Class ${Class.name} has no callable method '${name}'; regenerate the procxy stubs`,
      );
    }
    return (Class.prototype as Record<string, Function>)[name]!;
  });
}
