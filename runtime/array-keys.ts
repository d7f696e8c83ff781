// The named keys of an array (its own enumerable keys that are not indices), found without a string per element.
import { inspect } from './builtins.js';

/** Arrays up to this length have their keys listed to find the named ones; see namedKeys. */
const listedKeysUpTo = 128;
const inspectNoElements = {
  maxArrayLength: 0,
  depth: 0,
  customInspect: false,
  getters: false,
  showProxy: true,
};
const noNamedKeys = /^\[(?: \.\.\. \d+ more items? )?\]$/;

/**
 * The own enumerable keys of an array that are not indices (a match result's `index` and `input`), or undefined when
 * it has none. Object.keys lists the indices first, so the named keys are its tail; on a long array that costs a
 * string per element, so util.inspect, showing no element, rules them out first: it finds them with Node's
 * getOwnNonIndexProperties, which no public API offers, and prints just `[ ... n more items ]` when there are none.
 * Any other text (symbol keys show there too) leads to the exact listing.
 */
export function namedKeys(array: readonly unknown[]): string[] | undefined {
  if (array.length > listedKeysUpTo && noNamedKeys.test(inspect(array, inspectNoElements))) return undefined;
  const keys = Object.keys(array);
  let first = keys.length;
  while (first > 0 && !isIndex(keys[first - 1]!)) first--;
  return first === keys.length ? undefined : keys.slice(first);
}

/** Whether a key is an array index: a canonical number from 0 to 2^32 - 2. */
function isIndex(key: string): boolean {
  const n = Number(key);
  return n >>> 0 === n && n !== 2 ** 32 - 1 && String(n) === key;
}
