// Thrown values across the boundary: Errors keep their class, stack, cause chain and every own field.
import { types } from './builtins.js';
import { aggregated, decodeThrown, descriptorOf, fieldKeys } from './error-descriptor.js';
import { SerializationError } from './errors.js';
import type { SerializationMode } from './modes.js';
import {
  type Findings,
  inspectArgs,
  inspectValue,
  joinFindings,
  lastFindings,
  validateProcxiable,
  validateThrownValue,
} from './procxiable.js';
import { type ErrorDescriptor, maxArguments, type Thrown, thrownLimits, unreachable } from './protocol.js';

function describeOpaque(value: unknown): string {
  try {
    if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
    if (typeof value === 'symbol') return value.toString();
    if (typeof value === 'object' && value !== null) {
      const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
      return `[object ${ctor ?? 'Object'}]`;
    }
    return String(value);
  } catch {
    // A getter of the value's own threw.
    return '[a value that cannot be read]';
  }
}

/**
 * `error` with a one-line stack: for procxy's own stand-ins (a reason or an answer that could not go), whose frames are
 * procxy's and tell the caller nothing, and which must fit any message cap, down to its minimum (1024).
 */
export function withoutFrames<E extends Error>(error: E): E {
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/** A thrown value's message as text, whatever it is: reading one may throw too. */
export function messageOf(value: unknown): string {
  if (isProxied(value)) return proxyText;
  try {
    return isError(value) ? String(value.message) : String(value);
  } catch {
    return describeOpaque(value);
  }
}

const proxyText = '[a Proxy, which cannot be serialized]';

/** A Proxy: reading it runs its traps, user code that may throw (a revoked one always does). */
function isProxied(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && types.isProxy(value);
}

function isError(value: unknown): value is Error {
  return types.isNativeError(value) || value instanceof Error;
}

/** What one description has met so far: the errors it described, and how many Thrown it may still make. */
interface Describing {
  readonly seen: Set<object>;
  left: number;
}

function encode(value: unknown, d: Describing, depth: number): Thrown {
  d.left--;
  // Not read: the check refuses a Proxy without running its traps, and so does this.
  if (isProxied(value)) return { k: 'opaque', text: proxyText };
  if (isError(value)) {
    if (d.seen.has(value)) return { k: 'opaque', text: `[circular ${errorText(value)}]` };
    if (depth < thrownLimits.depth && d.left > 0) return { k: 'error', error: describe(value, d, depth) };
    return {
      k: 'opaque',
      text: `[${errorText(value)}, not described: too deep or too many]`,
    };
  }
  try {
    validateProcxiable(value, 'advanced', 'thrown');
    return { k: 'value', value };
  } catch (refusal) {
    try {
      validateThrownValue(value);
      return { k: 'value', value };
    } catch {
      return { k: 'opaque', text: `${describeOpaque(value)}${why(refusal)}` };
    }
  }
}

/** `TypeError: bad input`, whatever getters of the Error's own throw. */
function errorText(error: Error): string {
  try {
    return `${String(error.name)}: ${String(error.message)}`;
  } catch {
    return describeOpaque(error);
  }
}

/** What the check said of a thrown value it refused, its path taken from inside the value: `: at .retry: ...`. */
function why(refusal: unknown): string {
  if (!(refusal instanceof SerializationError)) return '';
  const { path, message } = refusal;
  const reason = message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
  const inside = path.startsWith('thrown') ? path.slice('thrown'.length) : path;
  return inside === '' ? `: ${reason}` : `: at ${inside}: ${reason}`;
}

/** An AggregateError's errors, as many as the description has room for, then a note of how many are left out. */
function encodeAll(errors: readonly unknown[], d: Describing, depth: number): Thrown[] {
  const encoded: Thrown[] = [];
  for (const error of errors) {
    if (d.left <= 0) {
      encoded.push({ k: 'opaque', text: `[${errors.length - encoded.length} more errors not described]` });
      break;
    }
    encoded.push(encode(error, d, depth));
  }
  return encoded;
}

function describe(error: Error, d: Describing, depth: number): ErrorDescriptor {
  d.seen.add(error);
  const props: (readonly [string, Thrown, boolean])[] = [];
  for (const key of fieldKeys(error)) {
    if (d.left <= 0) break;
    const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
    let value: unknown;
    try {
      value = 'value' in descriptor ? descriptor.value : (error as unknown as Record<string, unknown>)[key];
    } catch (getterError) {
      value = getterError;
    }
    props.push([key, encode(value, d, depth + 1), descriptor.enumerable === true]);
  }
  const cause = Object.hasOwn(error, 'cause') ? encode(error.cause, d, depth + 1) : undefined;
  const all = aggregated(error);
  return descriptorOf(error, cause, all === undefined ? undefined : encodeAll(all, d, depth + 1), props);
}

/** Describes a thrown value so that it survives either serialization mode. */
export function encodeThrown(value: unknown): Thrown {
  return encode(value, { seen: new Set(), left: thrownLimits.count }, 0);
}

/** Whether a description holds a value that is an object (whose Errors, say, the encoder must know of). */
function holdsObjects(thrown: Thrown): boolean {
  switch (thrown.k) {
    case 'value':
      return typeof thrown.value === 'object' && thrown.value !== null;
    case 'opaque':
      return false;
    case 'error': {
      const { cause, errors, props } = thrown.error;
      return (
        (cause !== undefined && holdsObjects(cause)) ||
        (errors?.some(holdsObjects) ?? false) ||
        props.some(([, value]) => holdsObjects(value))
      );
    }
    default:
      return unreachable(thrown, 'thrown value kind');
  }
}

/**
 * What the encoder must know of a description, which goes as V8: the Errors inside the values of its fields (a
 * `details` object holding one, a list of them) and what else the check finds there. Undefined when nothing, or
 * when the description as a whole is past the limits of a message's Errors (its values then go as V8 has them).
 */
export function thrownFindings(thrown: Thrown): Findings | undefined {
  if (!holdsObjects(thrown)) return undefined;
  try {
    inspectValue(thrown, 'advanced', 'thrown');
    return lastFindings();
  } catch {
    // Refused, or a getter read again threw: the description goes as it is, its values as V8 writes them.
    return undefined;
  }
}

/** An Error argument, not behind a Proxy (which the check refuses without running its traps). */
function isErrorArg(arg: unknown): arg is Error {
  return typeof arg === 'object' && arg !== null && !types.isProxy(arg) && isError(arg);
}

/** What a message to the parent carries of its arguments: `a`, and `x` when some of them are described Errors. */
export interface ArgsFields {
  readonly a: readonly unknown[];
  readonly x?: readonly number[];
}

/**
 * Checks arguments for the parent (a callback's, an event's) in `mode` and gives their fields: each top-level Error
 * is described as a thrown one is, so that it keeps its class, stack, cause chain and own fields in either mode (an
 * `error` event, a node-style `done(err)`), and `x` lists where. Throws SerializationError as inspectArgs does, for
 * an Error that cannot be read, or for more than maxArguments arguments.
 */
export function argsForParent(
  args: readonly unknown[],
  mode: SerializationMode,
): { readonly fields: ArgsFields; readonly jsonSafe: boolean; readonly findings: Findings | undefined } {
  if (args.length > maxArguments) {
    throw new SerializationError(
      `args: ${args.length} arguments, over the ${maxArguments} one message carries: pass them as one array`,
      'args',
    );
  }
  if (!args.some(isErrorArg)) {
    const jsonSafe = inspectArgs(args, mode);
    return { fields: { a: args }, jsonSafe, findings: lastFindings() };
  }
  const values = args.slice();
  const described = args.slice();
  const errors: number[] = [];
  for (const [i, arg] of args.entries()) {
    if (!isErrorArg(arg)) continue;
    values[i] = null;
    try {
      described[i] = encodeThrown(arg);
    } catch (error) {
      const path = `args[${i}]`;
      const reason = error instanceof Error ? error.message : String(error);
      throw new SerializationError(`${path}: the Error could not be read: ${reason}`, path, { cause: error });
    }
    errors.push(i);
  }
  inspectArgs(values, mode);
  let findings = lastFindings();
  // Errors inside the described ones' fields, unless the message could not hold them all (they then go as V8 has them).
  for (const i of errors)
    findings = joinFindings(findings, thrownFindings(described[i] as Thrown)) ?? findings;
  // A described Error may hold what JSON does not carry: the message goes as V8.
  return { fields: { a: described, x: errors }, jsonSafe: false, findings };
}

/** The arguments of a message from the child, its described Errors (see argsForParent) rebuilt. */
export function argsFromChild(fields: ArgsFields): readonly unknown[] {
  if (fields.x === undefined) return fields.a;
  const restored = fields.a.slice();
  for (const i of fields.x) restored[i] = decodeThrown(fields.a[i] as Thrown);
  return restored;
}
