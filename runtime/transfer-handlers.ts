// registerTransferHandler: custom types that cross the boundary as a payload, rebuilt by the handler of the same name.
import { SerializationError } from './errors.js';

export interface TransferHandler<T, S> {
  /** Whether this handler takes `value`; asked for every object in a message while any handler is registered. */
  canHandle(value: unknown): value is T;
  /** Turns the value into something the worker's serialization mode carries. */
  serialize(value: T): S;
  /** Rebuilds the value on the other side. */
  deserialize(serialized: S): T;
}

type AnyHandler = TransferHandler<unknown, unknown>;

const handlers = new Map<string, AnyHandler>();

/**
 * Registers a handler under `name`. Both sides must register it: import the same module from the parent and from
 * the worker module. Registering another handler under a taken name is an error; registering the same one again
 * is not (a module imported twice).
 */
export function registerTransferHandler<T, S>(name: string, handler: TransferHandler<T, S>): void {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('registerTransferHandler(name, handler): name must be a non-empty string');
  }
  for (const key of ['canHandle', 'serialize', 'deserialize'] as const) {
    if (typeof handler?.[key] !== 'function') {
      throw new TypeError(`registerTransferHandler('${name}', handler): handler.${key} must be a function`);
    }
  }
  const existing = handlers.get(name);
  if (existing !== undefined && existing !== handler) {
    throw new TypeError(`registerTransferHandler: a different handler is already registered as '${name}'`);
  }
  handlers.set(name, handler as AnyHandler);
}

export function handlersRegistered(): boolean {
  return handlers.size > 0;
}

export interface Handled {
  readonly name: string;
  readonly payload: unknown;
}

function failure(name: string, path: string, what: string, error: unknown): SerializationError {
  const reason = error instanceof Error ? error.message : String(error);
  return new SerializationError(`${path}: transfer handler '${name}' threw in ${what}: ${reason}`, path, {
    cause: error,
  });
}

/** The payload of the first handler that takes `value`, or undefined; a handler that throws names itself and the path. */
export function handle(value: object, path: () => string): Handled | undefined {
  for (const [name, handler] of handlers) {
    let taken: boolean;
    try {
      taken = handler.canHandle(value);
    } catch (error) {
      throw failure(name, path(), 'canHandle', error);
    }
    if (!taken) continue;
    try {
      return { name, payload: handler.serialize(value) };
    } catch (error) {
      throw failure(name, path(), 'serialize', error);
    }
  }
  return undefined;
}

/**
 * The name of the first handler that takes `value`, or undefined, without serializing it; a canHandle that throws
 * does not take it (handle() reports that where a path is known).
 */
export function handlerTaking(value: object): string | undefined {
  for (const [name, handler] of handlers) {
    try {
      if (handler.canHandle(value)) return name;
    } catch {}
  }
  return undefined;
}

/** Whether this process registered a handler named `name`. */
export function transferHandlerNamed(name: string): boolean {
  return handlers.has(name);
}

/** Rebuilds a handled value; a name this process never registered is an error that says what to import. */
export function unhandle(name: string, payload: unknown): unknown {
  const handler = handlers.get(name);
  if (handler === undefined) {
    throw new SerializationError(
      `No transfer handler named '${name}' is registered in process ${process.pid}: import the module that registers it on both sides`,
      name,
    );
  }
  try {
    return handler.deserialize(payload);
  } catch (error) {
    throw failure(name, name, 'deserialize', error);
  }
}
