// Tests on arrays the peer sent: a sparse one is a few bytes whatever its length, so every index counts.
import { maxArguments } from './protocol.js';

/**
 * Whether `test` holds for every index of `list`, a hole reading as undefined. Array.prototype.every skips holes
 * but still counts up to the length: 2^32 - 1 of them in a frame of a few bytes took it minutes.
 */
export function everyItem(list: readonly unknown[], test: (item: unknown) => boolean): boolean {
  for (let i = 0; i < list.length; i++) if (!test(list[i])) return false;
  return true;
}

/**
 * Whether `value` can be the arguments of a call this side makes for the peer (a callback's, a listener's): an array
 * of at most maxArguments, without holes, as a rest parameter makes them. Spread into a call, an array takes memory
 * and stack by its length, which a sparse one gets for free.
 */
export function isArgumentList(value: unknown): value is readonly unknown[] {
  if (!Array.isArray(value) || value.length > maxArguments) return false;
  for (let i = 0; i < value.length; i++) if (!Object.hasOwn(value, i)) return false;
  return true;
}
