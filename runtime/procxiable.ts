// Run-time check of what may cross the boundary in a mode; the same walk tells whether a JSON frame can carry it.
import { addedViewKey, namedKeys, presentIndices, turnsSparse } from './array-keys.js';
import { types } from './builtins.js';
import { aggregated, descriptorOf, errorPayloadName, fieldKeys } from './error-descriptor.js';
import { SerializationError } from './errors.js';
import type { SerializationMode } from './modes.js';
import { type Thrown, thrownLimits } from './protocol.js';
import { isMarked, marksPending, pooledRefusal, segmentThreshold, viewMemory } from './transfer.js';
import { type Handled, handle, handlersRegistered } from './transfer-handlers.js';
import { viewTypes } from './v8-codec.js';
import { entryStepText, propertyStep } from './value-path.js';

const maxDepth = 1000;
const mapKeys = Map.prototype.keys;
const mapValues = Map.prototype.values;
const setValues = Set.prototype.values;
const trackDepth = 32;
const trackAfter = 4096;

/**
 * Values visited before a value counts as large: checking it then costs more than sending it tentatively and
 * checking it while the peer decodes (Transport.sendThenCheck).
 */
const deferAfter = 512;

/** Thrown through the walk when a deferrable inspection reaches deferAfter. */
const deferred = Symbol('deferred');

/** What an inspection found that the encoder must treat apart from the value itself. */
export interface Findings {
  /** ArrayBuffer values (not views) that travel as segments: marked for transfer or large. */
  readonly outOfBand: ArrayBuffer[];
  /** Objects a transfer handler took, with their payloads (Errors among them, see visitError). */
  readonly handled: Map<object, Handled>;
  /** The parts of the Errors among `handled`, which a message may hold thrownLimits.inValues of. */
  errorParts: number;
}

/** Both findings, or undefined when together they would hold more parts of Errors than one message may. */
export function joinFindings(a: Findings | undefined, b: Findings | undefined): Findings | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const handled = new Map([...a.handled, ...b.handled]);
  const errorParts = a.errorParts + b.errorParts;
  if (errorParts > thrownLimits.inValues) return undefined;
  return { outOfBand: [...a.outOfBand, ...b.outOfBand], handled, errorParts };
}

/**
 * What the last inspection to finish found, until its caller takes it. Each walk gathers its own: a getter read by
 * a walk may make a call, inspected meanwhile, whose findings must not mix with the walk's.
 */
let finished: Findings | undefined;

function found(w: Walk): Findings {
  w.findings ??= { outOfBand: [], handled: new Map(), errorParts: 0 };
  return w.findings;
}

/**
 * Takes what the last inspectValue/inspectArgs found (undefined: nothing); call it right after the inspection.
 * Taken, it is let go here, so that it keeps nothing of the value alive.
 */
export function lastFindings(): Findings | undefined {
  const taken = finished;
  finished = undefined;
  return taken;
}

interface Walk {
  readonly json: boolean;
  /**
   * In json mode the objects on the current path (a cycle fails). In advanced mode the objects seen while JSON could
   * still carry the value (a shared object makes it unsafe) or, after that, those that bound the walk: deeper than
   * trackDepth (so a cycle ends) or past the first trackAfter objects (so shared parts are not walked over and over).
   */
  seen: Set<object> | undefined;
  /** Objects visited untracked. */
  objects: number;
  /** Whether JSON.stringify/parse would reproduce the value exactly. */
  jsonSafe: boolean;
  /** Visits left before the inspection gives up on a large value (Infinity: never). */
  budget: number;
  /** Whether for-in lists only own keys here (nothing enumerable was added to Object.prototype); found when needed. */
  forIn: boolean | undefined;
  /** The path to the value being visited: the context (`args`, `result`), the argument's index, a key per container. */
  readonly context: string;
  index: number | undefined;
  keys: Key[] | undefined;
  /** The objects from the root down to the one being visited, by depth (entries past it are stale). */
  readonly path: object[];
  /** How many payloads (an Error's description, a transfer handler's) the visit is inside: a cycle there is refused. */
  payloads: number;
  /** What the encoder must know of the value, found so far. */
  findings: Findings | undefined;
  /** Errors inside the value go as V8 writes them, unchecked beyond that (validateThrownValue). */
  readonly errorLeaves: boolean;
}

/**
 * A step of a path: a property name, an array index (or, below zero, a Map/Set entry), or raw text (`<Point>`,
 * `.cause`). Keys are kept on a stack while walking and spelled out only when a value is refused: most values are
 * fine, and text (or an object per step) costs.
 */
type Key = string | number | { readonly raw: string };

const entryParts = ['key', 'value', 'item'] as const;

/** The step to entry `i` of a Map (its key or value) or a Set (its item), as a number below zero: no text until needed. */
function entryStep(i: number, part: 0 | 1 | 2): number {
  return -1 - (i * 3 + part);
}

function keyText(key: Key): string {
  if (typeof key === 'object') return key.raw;
  if (typeof key === 'number') {
    if (key >= 0) return `[${key}]`;
    const n = -1 - key;
    return entryStepText(entryParts[n % 3]!, Math.floor(n / 3));
  }
  return propertyStep(key);
}

function rootText(w: Walk): string {
  return w.index === undefined ? w.context : `${w.context}[${w.index}]`;
}

/** The path to the value being visited, or to its entry `key` when given. */
function pathText(w: Walk, key?: Key): string {
  let text = rootText(w);
  for (const step of w.keys ?? []) text += keyText(step);
  return key === undefined ? text : text + keyText(key);
}

class Refusal {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {}
}

const jsonHint = "Use serialization: 'advanced'";

function refuse(w: Walk, reason: string, key?: Key): never {
  throw new Refusal(pathText(w, key), reason);
}

/** `a Map`, `an ArrayBuffer`; className's `an anonymous class` as it is. */
function withArticle(name: string): string {
  if (/^an? /.test(name)) return name;
  return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;
}

function className(value: object): string {
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'an anonymous class';
}

/**
 * What a prototype holds of its own: methods or accessors, and the first enumerable data property (an object made with
 * Object.create(defaults) inherits those, which neither JSON nor V8 writes).
 */
function prototypeHolds(p: object): { methods: boolean; data: string | undefined } {
  let methods = false;
  let data: string | undefined;
  for (const key of Object.getOwnPropertyNames(p)) {
    if (key === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d === undefined) continue;
    if (typeof d.value === 'function' || d.get !== undefined) methods = true;
    else if (d.enumerable) data ??= key;
  }
  return { methods, data };
}

/** The prototypes of the built-ins advanced mode carries as themselves (Buffer's included). */
const builtinPrototypes: ReadonlySet<object> = new Set<object>([
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  ...viewTypes.map((type) => type.prototype as object),
]);

/**
 * What a value's class adds, walking its prototypes from `proto` up to the first built-in one advanced mode carries
 * as itself (Map's, Date's...), or Object's: whether they define methods, and where the walk ended. A subclass of a
 * carried built-in that adds methods would lose them (the value arrives as that built-in), as would any other class.
 */
function ancestry(proto: object): {
  readonly methods: boolean;
  readonly base: object | null;
  /** An enumerable data property a prototype holds, which the value would not carry. */
  readonly inherited: string | undefined;
} {
  let p: object | null = proto;
  let methods = false;
  let inherited: string | undefined;
  while (p !== null && p !== Object.prototype && !builtinPrototypes.has(p)) {
    const holds = prototypeHolds(p);
    methods ||= holds.methods;
    inherited ??= holds.data;
    p = Object.getPrototypeOf(p) as object | null;
  }
  return { methods, base: p, inherited };
}

/**
 * JSON.stringify calls a toJSON method it finds on a plain object or array, enumerable or not, and writes what it
 * returns instead: json mode would send something else, advanced mode must let V8 write the data.
 */
function checkToJson(value: object, w: Walk): void {
  if (!callsToJson(value)) return;
  if (w.json)
    refuse(w, 'its toJSON method would replace it in json mode. Remove it, or pass what it returns');
  w.jsonSafe = false;
}

/**
 * Whether JSON.stringify would call a toJSON of the value: a function, own or inherited, or a getter (which may
 * return one). Read through descriptors, so no getter runs; a toJSON that is data (a field of parsed JSON) is data.
 */
function callsToJson(value: object): boolean {
  if (!('toJSON' in value)) return false;
  for (let o: object | null = value; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, 'toJSON');
    if (d !== undefined) return d.get !== undefined || typeof d.value === 'function';
  }
  return false;
}

function visitProperties(value: object, w: Walk, depth: number): void {
  if (Object.getOwnPropertySymbols(value).length > 0) refuse(w, 'a symbol-keyed property would be dropped');
  checkToJson(value, w);
  const record = value as Record<string, unknown>;
  w.forIn ??= ownKeysOnly();
  if (w.forIn) {
    // for-in reads keys without making an array of them, and costs least on a large (dictionary-mode) object too.
    for (const key in record) visitProperty(record[key], key, w, depth);
  } else {
    for (const key of Object.keys(record)) visitProperty(record[key], key, w, depth);
  }
}

function visitProperty(item: unknown, key: string, w: Walk, depth: number): void {
  if (item === undefined) {
    // JSON drops the key, which reads back as undefined; V8 keeps it.
    if (!w.json) w.jsonSafe = false;
  } else {
    visit(item, key, w, depth + 1);
  }
}

function ownKeysOnly(): boolean {
  for (const _ in Object.prototype) return false;
  return true;
}

function visitArray(value: readonly unknown[], w: Walk, depth: number): void {
  if (Object.getOwnPropertySymbols(value).length > 0) refuse(w, 'a symbol-keyed property would be dropped');
  checkToJson(value, w);
  let holes = 0;
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (item === undefined) {
      const hole = !(i in value);
      if (w.json)
        refuse(
          w,
          `${hole ? 'a hole' : 'undefined'} inside an array becomes null in json mode. ${jsonHint} or use null`,
          i,
        );
      w.jsonSafe = false;
      if (hole && turnsSparse(++holes, i + 1)) {
        for (const index of presentIndices(value, i + 1)) visit(value[index], index, w, depth + 1);
        break;
      }
      continue;
    }
    visit(item, i, w, depth + 1);
  }
  const named = namedKeys(value);
  if (named === undefined) return;
  if (w.json) {
    refuse(
      w,
      `a named property of an array is dropped in json mode. ${jsonHint} or pass an object`,
      named[0],
    );
  }
  // V8 writes them after the elements.
  w.jsonSafe = false;
  const record = value as unknown as Record<string, unknown>;
  for (const key of named) visitProperty(record[key], key, w, depth);
}

function jsonRefusal(value: object): string | undefined {
  if (types.isDate(value)) return `a Date becomes a string in json mode. ${jsonHint} or pass an ISO string`;
  if (types.isMap(value))
    return `a Map becomes {} in json mode. ${jsonHint} or pass an object or array of entries`;
  if (types.isSet(value)) return `a Set becomes {} in json mode. ${jsonHint} or pass an array`;
  if (types.isRegExp(value)) return `a RegExp becomes {} in json mode. ${jsonHint} or pass its source`;
  if (types.isArrayBufferView(value) || types.isAnyArrayBuffer(value)) {
    return `binary data (${className(value)}) is not JSON. ${jsonHint}`;
  }
  if (types.isNativeError(value) || value instanceof Error)
    return `an Error becomes {} in json mode. ${jsonHint}`;
  if (types.isBoxedPrimitive(value)) return `a boxed primitive changes in json mode. Pass the primitive`;
  return undefined;
}

// Typed apart: the runtime compiles without the DOM and WebAssembly declarations.
const WasmModule = (globalThis as { WebAssembly?: { Module: abstract new (...args: never[]) => object } })
  .WebAssembly?.Module;

/** Values neither mode can carry; undefined when the value is fine for V8. */
function neverRefusal(value: object): string | undefined {
  if (types.isPromise(value)) return 'a Promise cannot cross the process boundary; await it first';
  if (value instanceof AbortSignal) {
    return 'an AbortSignal crosses only as the last argument of a call (the method then gets a signal of its own)';
  }
  if (types.isWeakMap(value) || types.isWeakSet(value) || value instanceof WeakRef) {
    return `a ${className(value)} cannot cross the process boundary`;
  }
  if (types.isSymbolObject(value)) return 'a Symbol object cannot cross the process boundary';
  if (WasmModule !== undefined && value instanceof WasmModule) {
    return 'a WebAssembly.Module cannot cross the process boundary (V8 writes it, Node cannot read it back): send its bytes and compile them in the child';
  }
  if (types.isSharedArrayBuffer(value)) return 'a SharedArrayBuffer cannot be shared between processes';
  if (types.isArrayBufferView(value) && types.isSharedArrayBuffer(viewMemory(value).buffer)) {
    return 'a view over a SharedArrayBuffer cannot be shared between processes';
  }
  return undefined;
}

/**
 * What built-in a value without a prototype is, when it is one (`Object.setPrototypeOf(new Map(), null)`): the check
 * would take it for a plain object, JSON writes it as one and V8 by its kind, or not at all.
 */
function strippedBuiltin(value: object): string | undefined {
  if (types.isMap(value)) return 'Map';
  if (types.isSet(value)) return 'Set';
  if (types.isDate(value)) return 'Date';
  if (types.isRegExp(value)) return 'RegExp';
  if (types.isNativeError(value)) return 'Error';
  if (types.isBoxedPrimitive(value)) return 'boxed primitive';
  if (types.isAnyArrayBuffer(value)) return 'ArrayBuffer';
  if (types.isArrayBufferView(value)) return 'binary view';
  if (types.isPromise(value)) return 'Promise';
  if (types.isWeakMap(value) || types.isWeakSet(value)) return 'WeakMap or WeakSet';
  return undefined;
}

const prototypeKinds = new WeakMap<object, 'object' | 'array' | 'other'>();

/**
 * Whether `proto` is Object.prototype or Array.prototype, of this realm or of another: a vm context's, such as the
 * one Jest runs tests in, where objects that Node's own modules make (process.memoryUsage(), say) come from the
 * outer realm. JSON and V8 write them all alike.
 */
function plainKind(proto: object): 'object' | 'array' | undefined {
  if (proto === Object.prototype) return 'object';
  if (proto === Array.prototype) return 'array';
  let kind = prototypeKinds.get(proto);
  if (kind === undefined) {
    kind = otherRealmKind(proto);
    prototypeKinds.set(proto, kind);
  }
  return kind === 'other' ? undefined : kind;
}

/** Read through descriptors only: no getter, trap or toStringTag of a user's object runs. */
function otherRealmKind(proto: object): 'object' | 'array' | 'other' {
  if (types.isProxy(proto)) return 'other';
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  if (typeof ctor !== 'function' || types.isProxy(ctor)) return 'other';
  if (Object.getOwnPropertyDescriptor(ctor, 'prototype')?.value !== proto) return 'other';
  const name: unknown = Object.getOwnPropertyDescriptor(ctor, 'name')?.value;
  const parent = Object.getPrototypeOf(proto) as object | null;
  if (name === 'Object' && parent === null) return 'object';
  if (name === 'Array' && Array.isArray(proto) && parent !== null && plainKind(parent) === 'object') {
    return 'array';
  }
  return 'other';
}

/** Visits an object: refused, already met, or opened (visitUnseen) with its place on the path kept. */
function visitObject(value: object, w: Walk, depth: number): void {
  if (depth > maxDepth) refuse(w, `the value is nested more than ${maxDepth} levels deep`);
  // A payload is written before the value, whole: one that reaches back to what holds it cannot be.
  if (w.payloads > 0 && onPath(w, value, depth)) refuse(w, payloadCycleRefusal);
  if (w.seen?.has(value)) {
    if (w.json) refuse(w, `a cycle cannot be written as JSON. ${jsonHint}`);
    w.jsonSafe = false;
    return;
  }
  // By depth, not pushed and popped: what lies past `depth` is stale and never read.
  w.path[depth] = value;
  visitUnseen(value, w, depth);
}

function onPath(w: Walk, value: object, depth: number): boolean {
  for (let i = 0; i < depth; i++) if (w.path[i] === value) return true;
  return false;
}

const payloadCycleRefusal =
  'it holds, through an Error or a value a transfer handler takes, the value that holds them: an Error (or a handled value) crosses as a description written apart, which cannot hold its own holder';

function visitUnseen(value: object, w: Walk, depth: number): void {
  if (handlersRegistered()) {
    // Met again (shared): its payload was found and checked once, and each path to it would serialize it again,
    // which over a DAG of handled objects doubles per level. A cycle through it was refused above (onPath).
    if (w.findings?.handled.has(value)) {
      w.jsonSafe = false;
      return;
    }
    const handled = handle(value, () => pathText(w));
    if (handled !== undefined) {
      const key = w.keys?.at(-1);
      if (typeof key === 'object' && key.raw === `<${handled.name}>`) {
        // It took the payload it had just given: each serialize would give another, without end.
        refuse(
          w,
          `transfer handler '${handled.name}' takes its own payload (its canHandle accepts what its serialize gives); make serialize give a value canHandle refuses`,
        );
      }
      // The payload crosses instead of the value, so it is what must suit the mode.
      w.jsonSafe = false;
      found(w).handled.set(value, handled);
      w.payloads++;
      visit(handled.payload, { raw: `<${handled.name}>` }, w, depth + 1);
      w.payloads--;
      return;
    }
  }
  // Before its prototype is asked for: that runs a Proxy's trap, and throws for a revoked one.
  if (types.isProxy(value)) refuse(w, 'a Proxy cannot be serialized');
  const proto = Object.getPrototypeOf(value) as object | null;
  const kind = proto === null ? undefined : plainKind(proto);
  const plain = proto === null || kind !== undefined;
  // A plain object or array is none of the values no mode carries.
  const never = plain ? undefined : neverRefusal(value);
  if (never !== undefined) refuse(w, never);
  const tracked =
    w.json || w.jsonSafe || depth > trackDepth || ++w.objects > trackAfter || handlersRegistered();
  if (tracked) {
    w.seen ??= new Set();
    w.seen.add(value);
  }
  if (proto === null && !Array.isArray(value)) {
    const kind = strippedBuiltin(value);
    if (kind !== undefined) {
      refuse(
        w,
        `${withArticle(kind)} whose prototype was removed arrives changed or not at all. Pass it as it was made`,
      );
    }
  }
  // A null-prototype array is written as an array, as a null-prototype object is written as an object.
  if (Array.isArray(value) && (kind === 'array' || proto === null)) {
    visitArray(value, w, depth);
  } else if (kind === 'object' || proto === null) {
    visitProperties(value, w, depth);
  } else if (w.json) {
    const inherited = Object.hasOwn(proto!, 'constructor') ? undefined : ancestry(proto!).inherited;
    refuse(
      w,
      jsonRefusal(value) ??
        (inherited !== undefined
          ? inheritedRefusal(inherited)
          : `an instance of ${className(value)} loses its class in json mode. Pass a plain object`),
    );
  } else {
    visitAdvanced(value, w, depth, proto);
  }
  if (w.json) w.seen!.delete(value);
}

const detachedRefusal =
  'its ArrayBuffer was detached (its memory moved by an earlier transfer()) and holds nothing';

/** Whether `buffer` was detached; Node 20 has no ArrayBuffer.prototype.detached, but a view of one cannot be made. */
function detached(buffer: ArrayBufferLike): boolean {
  if (buffer.byteLength !== 0 || types.isSharedArrayBuffer(buffer)) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * The first enumerable property of its own that a Map, Set, Date, RegExp, ArrayBuffer or DataView was given (V8 writes
 * only the built-in's contents), or undefined. for-in, as they have no indices and their prototypes hold nothing
 * enumerable: no array of keys to allocate.
 */
function addedProperty(value: object): string | undefined {
  for (const key in value) if (Object.hasOwn(value, key)) return key;
  return undefined;
}

/** The longest String object whose own keys are walked for one it was given (each character is a key). */
const stringObjectWalked = 4096;

/** An enumerable property a boxed primitive was given (a String object's own indices are its characters). */
function boxedAddedProperty(value: object): string | undefined {
  const length = types.isStringObject(value) ? (value as string).length : 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const index = Number(key);
    if (!(Number.isInteger(index) && index >= 0 && index < length && String(index) === key)) return key;
  }
  return undefined;
}

function inheritedRefusal(key: string): string {
  return `it inherits properties (${key}) from its prototype, which are not carried: it would arrive without them. Copy them in ({ ...prototype, ...value })`;
}

function visitAdvanced(value: object, w: Walk, depth: number, proto: object): void {
  w.jsonSafe = false;
  const { methods, base, inherited } = builtinPrototypes.has(proto)
    ? { methods: false, base: proto, inherited: undefined }
    : ancestry(proto);
  if (methods && base !== null && builtinPrototypes.has(base)) {
    const extended = (base as { constructor: { name: string } }).constructor.name;
    refuse(
      w,
      `an instance of ${className(value)} (a ${extended} subclass) has methods, which cannot cross the process boundary: it would arrive as a ${extended}`,
    );
  }
  const builtin =
    base === Map.prototype
      ? 'Map'
      : base === Set.prototype
        ? 'Set'
        : base === Date.prototype
          ? 'Date'
          : base === RegExp.prototype
            ? 'RegExp'
            : undefined;
  const binary = types.isArrayBuffer(value) || types.isArrayBufferView(value);
  if ((builtin !== undefined || binary) && Object.getOwnPropertySymbols(value).length > 0) {
    refuse(w, 'a symbol-keyed property would be dropped');
  }
  const added =
    builtin !== undefined
      ? addedProperty(value)
      : types.isTypedArray(value)
        ? addedViewKey(value)
        : binary
          ? addedProperty(value)
          : undefined;
  if (added !== undefined) {
    refuse(
      w,
      `${withArticle(builtin ?? className(value))} with a property of its own (${added}) loses it: it arrives as the built-in. Put the value and the property side by side in an object`,
    );
  }
  if (types.isMap(value)) {
    // Map's own iterators, as V8's serializer reads a subclass's entries whatever it overrides; keys and values
    // apart, where entries() would make an array per entry.
    const keys = mapKeys.call(value as Map<unknown, unknown>);
    let i = 0;
    for (const v of mapValues.call(value as Map<unknown, unknown>)) {
      visit(keys.next().value, entryStep(i, 0), w, depth + 1);
      visit(v, entryStep(i, 1), w, depth + 1);
      i++;
    }
  } else if (types.isSet(value)) {
    let i = 0;
    for (const v of setValues.call(value as Set<unknown>)) visit(v, entryStep(i++, 2), w, depth + 1);
  } else if (Array.isArray(value)) {
    refuse(w, `an instance of ${className(value)} (an Array subclass) loses its class. Pass a plain array`);
  } else if (types.isNativeError(value) || value instanceof Error) {
    if (w.errorLeaves) visitErrorLeaf(value as Error, w);
    else visitError(value as Error, w, depth);
  } else if (types.isArrayBuffer(value)) {
    if (detached(value)) refuse(w, detachedRefusal);
    if (isMarked(value) || value.byteLength >= segmentThreshold) found(w).outOfBand.push(value);
  } else if (types.isArrayBufferView(value)) {
    const { buffer, byteOffset, byteLength } = viewMemory(value);
    if (detached(buffer)) refuse(w, detachedRefusal);
    const covers = byteOffset === 0 && byteLength === buffer.byteLength;
    const refusal = isMarked(buffer) ? pooledRefusal(buffer, covers) : undefined;
    if (refusal !== undefined) refuse(w, refusal);
  } else if (types.isRegExp(value)) {
    const { lastIndex } = value as RegExp;
    if (lastIndex !== 0) {
      refuse(
        w,
        `a RegExp's lastIndex (${String(lastIndex)}) is not carried: it arrives as 0. Reset it, or send it beside the RegExp`,
      );
    }
  } else if (types.isDate(value)) {
    return;
  } else if (types.isBoxedPrimitive(value)) {
    if (Object.getOwnPropertySymbols(value).length > 0) refuse(w, 'a symbol-keyed property would be dropped');
    if (types.isStringObject(value) && (value as string).length > stringObjectWalked) {
      refuse(
        w,
        `a String object of more than ${stringObjectWalked} characters is not checked for properties of its own, which it would lose (each character is a key). Pass the primitive string`,
      );
    }
    const added = boxedAddedProperty(value);
    if (added !== undefined) {
      refuse(
        w,
        `${withArticle(className(value))} object with a property of its own (${added}) loses it: it arrives as the bare ${className(value)}. Put the value and the property side by side in an object`,
      );
    }
  } else if (methods || (base !== null && base !== Object.prototype)) {
    refuse(w, `an instance of ${className(value)} has methods, which cannot cross the process boundary`);
  } else {
    if (inherited !== undefined) refuse(w, inheritedRefusal(inherited));
    visitProperties(value, w, depth);
  }
}

/** An Error that goes as V8 writes it (errorLeaves): V8 writes its cause but cannot read back a chain that loops. */
function visitErrorLeaf(error: Error, w: Walk): void {
  if (!types.isNativeError(error))
    refuse(w, `an instance of ${className(error)} is not an Error V8 can write`);
  const chain = new Set<unknown>();
  for (let e: unknown = error; types.isNativeError(e); e = (e as Error).cause) {
    if (chain.has(e))
      refuse(w, 'an Error whose cause chain is circular cannot be deserialized', { raw: '.cause' });
    chain.add(e);
  }
}

const tooManyErrorParts = `the Errors inside this message have more than ${thrownLimits.inValues} parts (each Error, its cause, errors and fields) to describe: send fewer`;

/**
 * An Error inside a value travels as a thrown one does, described (error-descriptor.ts) and rebuilt by the codec as a
 * handled object, where V8 would keep only its class, message, stack and cause. Its cause, aggregated errors and own
 * fields are visited as values: an Error among them is described apart, so one met twice arrives as one.
 */
function visitError(error: Error, w: Walk, depth: number): void {
  w.payloads++;
  const record = error as unknown as Record<string, unknown>;
  const props: [string, Thrown, boolean][] = [];
  for (const key of fieldKeys(error)) {
    const value = record[key];
    visit(value, key, w, depth + 1);
    props.push([key, { k: 'value', value }, Object.prototype.propertyIsEnumerable.call(error, key)]);
  }
  let cause: Thrown | undefined;
  if (Object.hasOwn(error, 'cause')) {
    visit(error.cause, { raw: '.cause' }, w, depth + 1);
    cause = { k: 'value', value: error.cause };
  }
  const all = aggregated(error);
  // A list longer than a message describes (a sparse one costs nothing to make) is refused before it is read.
  if (all !== undefined && all.length > thrownLimits.inValues) refuse(w, tooManyErrorParts);
  // Index by index, as the thrown path reads them: a hole is an undefined item, since the receiver takes no hole.
  const errors =
    all === undefined
      ? undefined
      : Array.from({ length: all.length }, (_, i): Thrown => {
          const item = all[i];
          visit(item, { raw: `.errors[${i}]` }, w, depth + 1);
          return { k: 'value', value: item };
        });
  w.payloads--;
  const findings = found(w);
  const { handled } = findings;
  if (!handled.has(error)) {
    // As the receiver counts them (error-descriptor.ts: isThrown): the description, its cause, errors and fields.
    findings.errorParts += 1 + props.length + (cause === undefined ? 0 : 1) + (errors?.length ?? 0);
    if (findings.errorParts > thrownLimits.inValues) refuse(w, tooManyErrorParts);
  }
  const payload: Thrown = { k: 'error', error: descriptorOf(error, cause, errors, props) };
  handled.set(error, { name: errorPayloadName, payload });
}

/** Visits the value at `key` of the container being visited (the root itself when key is undefined). */
function visit(value: unknown, key: Key | undefined, w: Walk, depth: number): void {
  if (--w.budget < 0) throw deferred;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        if (w.json) refuse(w, `${value} becomes null in json mode. ${jsonHint}`, key);
        w.jsonSafe = false;
      } else if (value === 0 && 1 / value < 0 && !w.json) {
        w.jsonSafe = false;
      }
      return;
    case 'undefined':
      w.jsonSafe = false;
      return;
    case 'bigint':
      if (w.json) refuse(w, `a bigint is not JSON. ${jsonHint} or pass a string`, key);
      w.jsonSafe = false;
      return;
    case 'symbol':
      return refuse(w, 'a symbol cannot cross the process boundary', key);
    case 'function':
      return refuse(w, 'a function cannot cross the process boundary', key);
    case 'object':
      if (value === null) return;
      if (key === undefined) return visitObject(value, w, depth);
      w.keys ??= [];
      w.keys.push(key);
      visitObject(value, w, depth);
      w.keys.pop();
      return;
    default:
      return refuse(w, `a value of type ${typeof value} cannot cross the process boundary`, key);
  }
}

/**
 * Checks `value` for `mode` and returns whether a JSON frame reproduces it exactly (otherwise V8 is needed).
 * Throws SerializationError naming the path, prefixed by `context` (e.g. `args[0]`).
 */
export function inspectValue(
  value: unknown,
  mode: SerializationMode,
  context: string,
  written = false,
): boolean {
  return inspectOne(value, mode, context, Infinity, written);
}

/**
 * inspectValue, or undefined for a large value when nothing must be found in it before encoding (no transfer
 * handler registered, no buffer marked): the caller then sends it with Transport.sendThenCheck. Ahead of encoding,
 * a large ArrayBuffer value (not a view) in such a value is not found, so it travels inside the body.
 */
export function inspectValueOrDefer(
  value: unknown,
  mode: SerializationMode,
  context: string,
): boolean | undefined {
  finished = undefined;
  const budget = budgetFor(value, false, mode);
  if (budget === 0) return undefined;
  try {
    return inspectOne(value, mode, context, budget);
  } catch (error) {
    return deferredOrThrow(error);
  }
}

/** inspectArgs, or undefined for large arguments, as inspectValueOrDefer. */
export function inspectArgsOrDefer(args: readonly unknown[], mode: SerializationMode): boolean | undefined {
  finished = undefined;
  const budget = budgetFor(args, true, mode);
  if (budget === 0) return undefined;
  try {
    return inspectEach(args, mode, budget);
  } catch (error) {
    return deferredOrThrow(error);
  }
}

/**
 * The visits allowed before a value counts as large: none when it shows as large near its top, all when nothing may
 * be deferred. In json mode the codec does not hang on the inspection, so any object is left to sendThenCheck,
 * which encodes first and judges by the frame's size: no estimate, which costs most on the large objects JSON.parse
 * makes (their keys can only be listed all at once, sorted).
 */
function budgetFor(value: unknown, isArgs: boolean, mode: SerializationMode): number {
  if (!deferrable()) return Infinity;
  if (mode === 'json') {
    const defers = jsonDefers(value, isArgs);
    return defers === 'walk' ? Infinity : defers ? 0 : deferAfter;
  }
  // The arguments array is one level more.
  return entriesNear(value, isArgs ? 3 : 2) >= deferAfter ? 0 : deferAfter;
}

/**
 * In json mode, whether the value (or, for arguments, any of them) is an object to leave to sendThenCheck. Not when
 * one is a Proxy: its traps run user code, and the walk refuses it before encoding could touch it. 'walk' when an
 * array at the top or in arrays near it has a hole at either end (`new Array(n)`): JSON would write `null` for every
 * hole, a string of five bytes each, before the check refused it; the walk refuses it at the first hole, visiting
 * only what it holds.
 */
function jsonDefers(value: unknown, isArgs: boolean): boolean | 'walk' {
  const roots = isArgs ? (value as readonly unknown[]) : [value];
  let objects = false;
  for (const root of roots) {
    if (typeof root !== 'object' || root === null) continue;
    if (types.isProxy(root)) return false;
    objects = true;
  }
  if (!objects) return false;
  return holeyNear(roots, 3, { left: deferAfter }) ? 'walk' : true;
}

/**
 * Whether an array within `levels` of `value`, through arrays only (looking at `budget.left` elements at most), has
 * a hole at an end. Not through objects: listing an object's keys costs as much as its size (15 ms for 100 000 keys),
 * for every large object sent, where JSON's nulls cost only for the rare array of holes, and no more than the cap.
 */
function holeyNear(value: unknown, levels: number, budget: { left: number }): boolean {
  if (!Array.isArray(value) || levels === 0 || types.isProxy(value)) return false;
  if (value.length > 0 && (!(0 in value) || !(value.length - 1 in value))) return true;
  for (let i = 0; i < value.length && budget.left-- > 0; i++) {
    if (holeyNear(value[i], levels - 1, budget)) return true;
  }
  return false;
}

function deferredOrThrow(error: unknown): undefined {
  if (error === deferred) return undefined;
  throw error;
}

function deferrable(): boolean {
  return !handlersRegistered() && !marksPending();
}

/**
 * The entries of the containers within `levels` of `value`: a value found large this way is sent without walking
 * any of it first (the walk would give up on it anyway, having cost as much as it saves).
 */
function entriesNear(value: unknown, levels: number): number {
  // A Proxy's traps run user code: the walk refuses it before touching more than its prototype.
  if (typeof value !== 'object' || value === null || levels === 0 || types.isProxy(value)) return 0;
  if (Object.getPrototypeOf(value) === Object.prototype && ownKeysOnly()) {
    const record = value as Record<string, unknown>;
    let entries = 0;
    for (const key in record) {
      entries += 1 + entriesNear(record[key], levels - 1);
      if (entries >= deferAfter) break;
    }
    return entries;
  }
  let entries: number;
  if (Array.isArray(value)) {
    entries = value.length;
    if (entries >= deferAfter || levels === 1) return entries;
    // By index: an array without a prototype has no iterator.
    for (let i = 0; i < value.length && entries < deferAfter; i++)
      entries += entriesNear(value[i], levels - 1);
    return entries;
  }
  if (!(value instanceof Map || value instanceof Set)) return 0;
  entries = value.size;
  if (entries >= deferAfter || levels === 1) return entries;
  for (const item of value.values()) {
    entries += entriesNear(item, levels - 1);
    if (entries >= deferAfter) break;
  }
  return entries;
}

/** A walk over one value, or over the arguments of one call (so an object two arguments share is seen as shared). */
function newWalk(mode: SerializationMode, context: string, budget: number, errorLeaves = false): Walk {
  return {
    json: mode === 'json',
    seen: undefined,
    jsonSafe: true,
    objects: 0,
    budget,
    forIn: undefined,
    context,
    index: undefined,
    keys: undefined,
    path: [],
    payloads: 0,
    findings: undefined,
    errorLeaves,
  };
}

/** Visits `value` (argument `index`, when given) in `walk`; throws SerializationError naming the path. */
function walkValue(walk: Walk, value: unknown, index?: number): void {
  walk.index = index;
  try {
    visit(value, undefined, walk, 0);
  } catch (error) {
    if (error instanceof Refusal) {
      throw new SerializationError(`${error.path}: ${error.reason}`, error.path);
    }
    // V8's stack overflow; a RangeError a getter threw is the getter's own.
    if (error instanceof RangeError && /call stack/.test(error.message)) {
      const path = rootText(walk);
      throw new SerializationError(`${path}: the value is nested too deeply to serialize`, path);
    }
    throw error;
  }
}

/**
 * The check of a whole value when it is only plain data: in advanced mode plain objects and arrays, Maps, Sets,
 * Dates and primitives, no deeper than trackDepth, nothing to refuse and nothing to find. It is one loop over a
 * stack, where the walk recurses through several functions that V8 compiles one by one, each inlining the others:
 * over a new child's first hundred checks of the bench's S4 object, that compiling took longer than the checks.
 * Once compiled it is also about a tenth faster. Returns whether JSON reproduces the roots, or undefined as soon as
 * anything else shows, or when reading the value throws; the walk then starts over, decides, and names what it
 * refuses. It visits objects in the walk's order and tracks them by the walk's rules, so on data both find the same
 * shared objects and end on the same cycles. It reads an object's properties when it opens it, not one by one
 * between its children as the walk does: only a getter can tell (and what getters return may differ between the
 * check and the encoding anyway). A value left to the walk has its getters read again.
 * In json mode it takes only what JSON carries: plain objects and arrays (no undefined item), strings, finite
 * numbers, booleans and null, and returns true or undefined. It tracks nothing: an object met again (shared, which
 * JSON writes twice, or a cycle, which it cannot write) is visited again, so a cycle ends on trackDepth, and a value
 * of more than trackAfter objects is left to the walk, whose path tells a cycle from a shared object.
 */
export function plainDataJsonSafe(
  roots: readonly unknown[],
  json = false,
  written = false,
): boolean | undefined {
  try {
    return judgePlainData(roots, json, written);
  } catch {
    return undefined;
  }
}

function judgePlainData(roots: readonly unknown[], json: boolean, written: boolean): boolean | undefined {
  // A getter read by the check may start another check (a call from inside it): that one gets a stack of its own.
  const check = idleCheck ?? new PlainDataCheck();
  idleCheck = undefined;
  try {
    return json ? check.judgeJson(roots) : check.judge(roots, written);
  } finally {
    check.clear();
    idleCheck = check;
  }
}

/**
 * The state of judgePlainData: objects still to visit (a stack whose memory is kept from one check to the next: grown
 * anew for each, it was most of what a check of a large value allocated, and so of the young-generation collections
 * a busy worker pays for), and what the primitives seen so far tell.
 */
class PlainDataCheck {
  #objects: (object | undefined)[] = [];
  #depths: number[] = [];
  #top = 0;
  /** The highest #top of this check: the slots to clear, so the stack keeps no value alive. */
  #used = 0;
  #jsonSafe = true;
  /** A value of no data type showed (a symbol or a function): the walk refuses it. */
  #other = false;

  /**
   * `written`: V8 wrote the roots already, so an array's own keys are not looked at (the cost of a string per
   * element, or of util.inspect, per array): V8 wrote its named properties with it and refused what it cannot write
   * there. What it would change there (a class instance, an Error's fields) goes unseen; its symbol keys are dropped.
   */
  judge(roots: readonly unknown[], written = false): boolean | undefined {
    for (const root of roots) if (!this.#take(root, 0)) return undefined;
    this.#reverseFrom(0);
    const objects = this.#objects;
    const depths = this.#depths;
    let seen: Set<object> | undefined;
    let untracked = 0;
    let forIn: boolean | undefined;
    while (this.#top > 0) {
      const top = --this.#top;
      const value = objects[top]!;
      const depth = depths[top]!;
      if (seen?.has(value)) {
        this.#jsonSafe = false;
        continue;
      }
      if (depth > trackDepth) return undefined;
      const proto = Object.getPrototypeOf(value) as object | null;
      const array = (proto === Array.prototype || proto === null) && Array.isArray(value);
      const plain = !array && (proto === Object.prototype || proto === null);
      if ((plain || array) && (types.isProxy(value) || callsToJson(value))) return undefined;
      if (proto === null && !array && strippedBuiltin(value) !== undefined) return undefined;
      if (this.#jsonSafe || ++untracked > trackAfter) {
        seen ??= new Set();
        seen.add(value);
      }
      const below = depth + 1;
      const children = this.#top;
      if (array) {
        if (!written && hasOtherKeys(value)) return undefined;
        if (value.length > surelyDenseUpTo) {
          if (!this.#takeLong(value, below)) return undefined;
        } else {
          for (let i = 0; i < value.length; i++) if (!this.#take(value[i], below)) return undefined;
        }
      } else if (plain) {
        if (Object.getOwnPropertySymbols(value).length > 0) return undefined;
        forIn ??= ownKeysOnly();
        if (!forIn) return undefined;
        const record = value as Record<string, unknown>;
        for (const key in record) if (!this.#take(record[key], below)) return undefined;
      } else if (proto === Map.prototype && types.isMap(value)) {
        if (givenKeys(value)) return undefined;
        // Iterators, where forEach's callback cost this loop an allocation per entry, and entries() an array each;
        // Map's own, as V8's serializer reads a subclass's entries whatever it overrides.
        this.#jsonSafe = false;
        const keys = mapKeys.call(value);
        for (const v of mapValues.call(value)) if (this.#take(keys.next().value, below)) this.#take(v, below);
      } else if (proto === Set.prototype && types.isSet(value)) {
        if (givenKeys(value)) return undefined;
        this.#jsonSafe = false;
        for (const v of setValues.call(value)) this.#take(v, below);
      } else if (proto === Date.prototype && types.isDate(value)) {
        if (givenKeys(value)) return undefined;
        this.#jsonSafe = false;
      } else {
        return undefined;
      }
      if (this.#other) return undefined;
      this.#reverseFrom(children);
    }
    return this.#jsonSafe;
  }

  judgeJson(roots: readonly unknown[]): true | undefined {
    // JSON writes null for an undefined argument: the walk then says the arguments need V8.
    for (const root of roots) if (root === undefined || !this.#takeJson(root, 0)) return undefined;
    this.#reverseFrom(0);
    const objects = this.#objects;
    const depths = this.#depths;
    let visited = 0;
    let forIn: boolean | undefined;
    while (this.#top > 0) {
      const top = --this.#top;
      const value = objects[top]!;
      const depth = depths[top]!;
      if (depth > trackDepth || ++visited > trackAfter) return undefined;
      const proto = Object.getPrototypeOf(value) as object | null;
      const array = (proto === Array.prototype || proto === null) && Array.isArray(value);
      if (!(array || proto === Object.prototype || proto === null) || types.isProxy(value)) return undefined;
      if (callsToJson(value)) return undefined;
      if (proto === null && !array && strippedBuiltin(value) !== undefined) return undefined;
      const below = depth + 1;
      const children = this.#top;
      if (array) {
        if (hasOtherKeys(value)) return undefined;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          // JSON writes null for an undefined item or a hole.
          if (item === undefined || !this.#takeJson(item, below)) return undefined;
        }
      } else {
        if (Object.getOwnPropertySymbols(value).length > 0) return undefined;
        forIn ??= ownKeysOnly();
        if (!forIn) return undefined;
        const record = value as Record<string, unknown>;
        // JSON drops an undefined property, which reads back as undefined.
        for (const key in record) if (!this.#takeJson(record[key], below)) return undefined;
      }
      this.#reverseFrom(children);
    }
    return true;
  }

  /**
   * #take for each element of a long array; false also when it turns out sparse, for the walk, which visits only the
   * elements it holds (a sparse array's length can be 2^32 - 1).
   */
  #takeLong(array: readonly unknown[], depth: number): boolean {
    let holes = 0;
    for (let i = 0; i < array.length; i++) {
      const item: unknown = array[i];
      if (item === undefined && !(i in array) && turnsSparse(++holes, i + 1)) return false;
      if (!this.#take(item, depth)) return false;
    }
    return true;
  }

  /** #take for json mode: what JSON carries, an object queued; false when the value is for the walk. */
  #takeJson(item: unknown, depth: number): boolean {
    switch (typeof item) {
      case 'string':
      case 'boolean':
      case 'undefined':
        return true;
      case 'number':
        return Number.isFinite(item);
      case 'object':
        if (item !== null) this.#push(item, depth);
        return true;
      default:
        return false;
    }
  }

  #push(item: object, depth: number): void {
    const top = this.#top++;
    this.#objects[top] = item;
    this.#depths[top] = depth;
    if (this.#top > this.#used) this.#used = this.#top;
  }

  /** Judges a primitive, or queues an object at `depth`; false when the value is for the walk. */
  #take(item: unknown, depth: number): boolean {
    switch (typeof item) {
      case 'string':
      case 'boolean':
        return true;
      case 'number':
        if (!Number.isFinite(item) || (item === 0 && 1 / item < 0)) this.#jsonSafe = false;
        return true;
      case 'bigint':
      case 'undefined':
        this.#jsonSafe = false;
        return true;
      case 'object':
        if (item !== null) this.#push(item, depth);
        return true;
      default:
        this.#other = true;
        return false;
    }
  }

  /** Reverses the objects queued from `start` on, so that they come off the stack in the order they were found. */
  #reverseFrom(start: number): void {
    const objects = this.#objects;
    const depths = this.#depths;
    for (let i = start, j = this.#top - 1; i < j; i++, j--) {
      const object = objects[i];
      objects[i] = objects[j];
      objects[j] = object;
      const depth = depths[i]!;
      depths[i] = depths[j]!;
      depths[j] = depth;
    }
  }

  /** Ready for the next check, holding no value of this one (nor, after a huge one, its memory). */
  clear(): void {
    if (this.#used > keptStackSlots) {
      this.#objects = [];
      this.#depths = [];
    } else {
      this.#objects.fill(undefined, 0, this.#used);
    }
    this.#top = 0;
    this.#used = 0;
    this.#jsonSafe = true;
    this.#other = false;
  }
}

/** Whether a Map, Set or Date was given a property of its own, symbol-keyed or not: the walk refuses it. */
function givenKeys(value: object): boolean {
  return addedProperty(value) !== undefined || Object.getOwnPropertySymbols(value).length > 0;
}

/** Whether an array has keys besides its indices (named or symbol-keyed properties): the walk judges those. */
function hasOtherKeys(array: readonly unknown[]): boolean {
  return Object.getOwnPropertySymbols(array).length > 0 || namedKeys(array) !== undefined;
}

/**
 * Arrays up to this length are looped over without counting holes: even sparse, they cost little (the count costs
 * the hottest loop of a check a few percent).
 */
const surelyDenseUpTo = 1 << 16;

let idleCheck: PlainDataCheck | undefined;
/** The stack a check keeps for the next (~64 KiB per array); one that grew larger is let go. */
const keptStackSlots = 8192;

/** Whether plainDataJsonSafe may stand for the walk: not when handled objects must be found. */
function plainDataApplies(budget: number): boolean {
  return budget === Infinity && !handlersRegistered();
}

function inspectOne(
  value: unknown,
  mode: SerializationMode,
  context: string,
  budget: number,
  written = false,
): boolean {
  finished = undefined;
  if (plainDataApplies(budget)) {
    const jsonSafe = plainDataJsonSafe([value], mode === 'json', written);
    if (jsonSafe !== undefined) return jsonSafe;
  }
  const walk = newWalk(mode, context, budget);
  walkValue(walk, value);
  finished = walk.findings;
  return walk.jsonSafe;
}

/**
 * Checks call arguments one by one, so an undefined argument is allowed in both modes; returns JSON safety.
 * `written`: V8 wrote them already (see PlainDataCheck.judge).
 */
export function inspectArgs(args: readonly unknown[], mode: SerializationMode, written = false): boolean {
  return inspectEach(args, mode, Infinity, written);
}

function inspectEach(
  args: readonly unknown[],
  mode: SerializationMode,
  budget: number,
  written = false,
): boolean {
  finished = undefined;
  if (plainDataApplies(budget)) {
    const jsonSafe = plainDataJsonSafe(args, mode === 'json', written);
    if (jsonSafe !== undefined) return jsonSafe;
  }
  const walk = newWalk(mode, 'args', budget);
  for (let i = 0; i < args.length; i++) walkValue(walk, args[i], i);
  finished = walk.findings;
  return walk.jsonSafe;
}

/** Throws SerializationError when `value` cannot cross the boundary in `mode`; `context` prefixes the path. */
export function validateProcxiable(value: unknown, mode: SerializationMode, context: string): void {
  inspectValue(value, mode, context);
  finished = undefined;
}

/**
 * The check of a thrown value that validateProcxiable refuses for an Error inside it (a function among its fields,
 * a cycle through it): thrown, the value crosses all the same, its Errors as V8 writes them (class, message, stack,
 * cause), as a thrown value's parts that cannot cross become notes rather than failures. Advanced mode.
 */
export function validateThrownValue(value: unknown): void {
  walkValue(newWalk('advanced', 'thrown', Infinity, true), value);
}

/** Whether `value` can cross the boundary in `mode` (default `json`) unchanged. */
export function isProcxiable(value: unknown, mode: SerializationMode = 'json'): boolean {
  try {
    validateProcxiable(value, mode, 'value');
    return true;
  } catch (error) {
    if (error instanceof SerializationError) return false;
    throw error;
  }
}
