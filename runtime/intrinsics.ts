// Built-ins as they were when procxy loaded, for the codec, which must not run code a user put in their place.
import { isIndex } from './array-keys.js';

// Methods as functions of their receiver (Node's primordials do the same): neither a prototype's method nor `call`
// is looked up when they run.
const { bind, call } = Function.prototype;
export const uncurryThis = bind.bind(call) as <T, A extends unknown[], R>(
  method: (this: T, ...args: A) => R,
) => (self: T, ...args: A) => R;

export const mapGet = uncurryThis(Map.prototype.get) as <K, V>(map: Map<K, V>, key: K) => V | undefined;
export const mapSet = uncurryThis(Map.prototype.set) as <K, V>(map: Map<K, V>, key: K, value: V) => Map<K, V>;
export const mapForEach = uncurryThis(Map.prototype.forEach) as <K, V>(
  map: Map<K, V>,
  each: (value: V, key: K) => void,
) => void;
export const setAdd = uncurryThis(Set.prototype.add) as <T>(set: Set<T>, value: T) => Set<T>;
export const setForEach = uncurryThis(Set.prototype.forEach) as <T>(
  set: Set<T>,
  each: (value: T) => void,
) => void;
export const dateValue = uncurryThis(Date.prototype.valueOf) as (date: object) => number;
export const copyBytes = uncurryThis(Uint8Array.prototype.set) as (
  target: Uint8Array,
  source: Uint8Array,
  at?: number,
) => void;

const ObjectPrototype = Object.prototype;
const ArrayPrototype = Array.prototype;
const { getPrototypeOf, getOwnPropertyNames } = Object;

/**
 * Whether an element stored or read where an array has none is the array's own: no prototype of arrays holds an
 * element, whose setter would run on a store and whose value a read would find (Array.prototype, an array itself,
 * has a length past any index it holds). Object.prototype's own prototype cannot change.
 */
export function elementsStoreAsOwn(): boolean {
  return (
    ArrayPrototype.length === 0 &&
    getPrototypeOf(ArrayPrototype) === ObjectPrototype &&
    !getOwnPropertyNames(ObjectPrototype).some(isIndex)
  );
}
