// Errors as descriptions (Thrown): the classes a description names, the parts it holds apart, and the rebuilding.
import { types } from './builtins.js';
import {
  CallbackReleasedError,
  MessageTooLargeError,
  MethodNotFoundError,
  ModuleResolutionError,
  type ProcxyError,
  SerializationError,
  TimeoutError,
} from './errors.js';
import { everyItem } from './peer-arrays.js';
import { type ErrorDescriptor, type Thrown, thrownLimits, unreachable } from './protocol.js';

type ErrorClass = new (message?: string) => Error;

const builtins: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
  ['AggregateError', AggregateError as unknown as ErrorClass],
  // An AbortSignal's default reasons (AbortError, TimeoutError) are DOMExceptions.
  ['DOMException', DOMException as unknown as ErrorClass],
]);

/** procxy errors a child can raise itself; rebuilt with the parent's classes so `instanceof` works. */
const procxyClasses: ReadonlyMap<string, { prototype: ProcxyError }> = new Map<
  string,
  { prototype: ProcxyError }
>([
  ['SerializationError', SerializationError],
  ['MethodNotFoundError', MethodNotFoundError],
  ['ModuleResolutionError', ModuleResolutionError],
  ['TimeoutError', TimeoutError],
  ['MessageTooLargeError', MessageTooLargeError],
  ['CallbackReleasedError', CallbackReleasedError],
]);

const knownPrototypes: ReadonlyMap<object, string> = new Map<object, string>([
  ...[...procxyClasses].map(([name, cls]) => [cls.prototype as object, name] as const),
  ...[...builtins].map(([name, cls]) => [cls.prototype as object, name] as const),
]);

/** The own properties of an Error that a description holds apart from its fields (and an AggregateError's `errors`). */
const describedApart: ReadonlySet<string> = new Set(['stack', 'message', 'cause', 'name']);

/** An AggregateError's errors, which a description holds apart; undefined for any other Error. */
export function aggregated(error: Error): readonly unknown[] | undefined {
  return error instanceof AggregateError && Array.isArray(error.errors) ? error.errors : undefined;
}

/** The own properties of an Error that its description lists as fields. */
export function fieldKeys(error: Error): string[] {
  const apart = aggregated(error) !== undefined;
  return Object.getOwnPropertyNames(error).filter(
    (key) => !describedApart.has(key) && !(apart && key === 'errors'),
  );
}

/** The description of `error`, given its cause (when it has one of its own), aggregated errors and fields. */
export function descriptorOf(
  error: Error,
  cause: Thrown | undefined,
  errors: readonly Thrown[] | undefined,
  props: readonly (readonly [string, Thrown, boolean])[],
): ErrorDescriptor {
  const { stack } = error;
  return {
    base: baseOf(error),
    name: String(error.name),
    message: String(error.message),
    ...(typeof stack === 'string' ? { stack } : {}),
    ...(cause !== undefined ? { cause } : {}),
    ...(errors !== undefined ? { errors } : {}),
    props,
  };
}

/** The nearest built-in (or procxy) error class in the prototype chain of `error`. */
function baseOf(error: object): string {
  for (
    let p = Object.getPrototypeOf(error) as object | null;
    p !== null;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    const name = knownPrototypes.get(p);
    if (name !== undefined) return name;
  }
  // An Error of another realm (node:vm) has its own built-in prototypes: they are known by their class's name.
  if (types.isNativeError(error)) {
    for (
      let p = Object.getPrototypeOf(error) as { constructor?: { name?: unknown } } | null;
      p !== null;
      p = Object.getPrototypeOf(p) as { constructor?: { name?: unknown } } | null
    ) {
      const name = Object.hasOwn(p, 'constructor') ? p.constructor?.name : undefined;
      if (typeof name === 'string' && builtins.has(name) && name !== 'DOMException') return name;
    }
  }
  return 'Error';
}

function define(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}

function restore(d: ErrorDescriptor): Error {
  // The stack a constructor would capture here is replaced by the sender's: capturing it is most of a rebuild's cost.
  // Not where Error cannot be changed (node --frozen-intrinsics, which a child inherits).
  if (Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable !== true) return rebuilt(d);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return rebuilt(d);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function rebuilt(d: ErrorDescriptor): Error {
  const procxyClass = procxyClasses.get(d.base);
  let error: Error;
  if (procxyClass !== undefined) {
    error = Object.create(procxyClass.prototype) as Error;
    define(error, 'message', d.message, false);
  } else if (d.base === 'AggregateError') {
    error = new AggregateError(
      (d.errors ?? []).map((e) => decodeThrown(e)),
      d.message,
    );
  } else if (d.base === 'DOMException') {
    // Its name sets its legacy `code`, so it goes to the constructor rather than onto the instance.
    error = new DOMException(d.message, d.name);
  } else {
    error = new (builtins.get(d.base) ?? Error)(d.message);
  }
  if (error.name !== d.name) define(error, 'name', d.name, false);
  if (d.stack !== undefined) define(error, 'stack', d.stack, false);
  if (d.cause !== undefined) define(error, 'cause', decodeThrown(d.cause), false);
  for (const [key, value, enumerable] of d.props) define(error, key, decodeThrown(value), enumerable);
  return error;
}

/** What a Thrown was, for the error that stands in for one that could not cross: a thrown value by default. */
export interface ThrownRole {
  readonly text: string;
  readonly path: string;
}

const thrownRole: ThrownRole = { text: 'The value thrown', path: 'thrown' };

/** Rebuilds what the other side threw (or gave as `role`). */
export function decodeThrown(thrown: Thrown, role = thrownRole): unknown {
  switch (thrown.k) {
    case 'error':
      return restore(thrown.error);
    case 'value':
      return thrown.value;
    case 'opaque':
      return new SerializationError(`${role.text} cannot be serialized: ${thrown.text}`, role.path);
    default:
      return unreachable(thrown, 'thrown value kind');
  }
}

/**
 * The name under which an Error inside a value travels as a handled object (v8-codec.ts), described as a thrown one
 * is, so that it keeps its own fields: no transfer handler can be registered under it.
 */
export const errorPayloadName = '';

/** How many more Thrown the message being checked may hold (see thrownLimits). */
export interface ThrownBudget {
  left: number;
}

export const thrownBudget = (): ThrownBudget => ({ left: 2 * thrownLimits.count });

/**
 * Whether a value from the peer is a well-formed Thrown within the limits. Errors nest one level per Thrown of kind
 * `error`; their causes, aggregated errors and fields one more.
 */
export function isThrown(value: unknown, b: ThrownBudget, depth = 0): value is Thrown {
  if (--b.left < 0) return false;
  const t = value as { k?: unknown; error?: unknown; text?: unknown } | null;
  if (typeof t !== 'object' || t === null) return false;
  if (t.k === 'value') return true;
  if (t.k === 'opaque') return typeof t.text === 'string';
  if (t.k !== 'error' || typeof t.error !== 'object' || t.error === null || depth >= thrownLimits.depth) {
    return false;
  }
  const e = t.error as Record<string, unknown>;
  const inner = (x: unknown) => isThrown(x, b, depth + 1);
  return (
    typeof e.base === 'string' &&
    typeof e.name === 'string' &&
    typeof e.message === 'string' &&
    (e.stack === undefined || typeof e.stack === 'string') &&
    (e.cause === undefined || inner(e.cause)) &&
    (e.errors === undefined || (Array.isArray(e.errors) && everyItem(e.errors, inner))) &&
    Array.isArray(e.props) &&
    everyItem(
      e.props,
      (p: unknown) =>
        Array.isArray(p) &&
        p.length === 3 &&
        typeof p[0] === 'string' &&
        inner(p[1]) &&
        typeof p[2] === 'boolean',
    )
  );
}

/** The budget of the Errors inside one message's values: their payloads share it. */
export const valuesBudget = (): ThrownBudget => ({ left: thrownLimits.inValues });

/**
 * Rebuilds an Error that travelled inside a value, taking its parts from the message's `budget` (valuesBudget).
 * Throws RangeError on what no sender writes (the frame is then malformed).
 */
export function rebuildErrorPayload(payload: unknown, budget: ThrownBudget): Error {
  if (!isThrown(payload, budget) || payload.k !== 'error') throw new RangeError('Malformed Error payload');
  return restore(payload.error);
}
