// An array's keys without a string per element: its named keys, and the indices a sparse one holds.
import { inspect } from './builtins.js';

/** Up to this length the keys are listed to find the named ones; see namedKeys. */
const listedKeysUpTo = 96;
// Every option that shapes the text is set: util.inspect.defaultOptions may have been changed.
const inspectNoElements = {
  maxArrayLength: 0,
  depth: 0,
  customInspect: false,
  getters: false,
  showProxy: true,
  showHidden: false,
  colors: false,
  compact: 3,
  breakLength: Number.POSITIVE_INFINITY,
  numericSeparator: false,
  sorted: false,
};
/**
 * Whether util.inspect's text of an array or typed array of `length` elements shows nothing beside them: it ends in
 * `[ ... n more items ]`, which a key or value shown after the elements would follow, and says `more item` once (a
 * class name or a value could say it too). What comes before (`Uint8Array(3)`, a subclass's or tag's name) is free.
 */
function showsOnlyElements(text: string, length: number): boolean {
  const marker = ' more item';
  return (
    text.endsWith(`[ ... ${length}${marker}${length === 1 ? '' : 's'} ]`) &&
    text.indexOf(marker) === text.lastIndexOf(marker)
  );
}

/**
 * The own enumerable keys of an array or a typed array that are not indices (a match result's `index` and `input`),
 * or undefined when it has none. Object.keys lists the indices first, so the named keys are its tail; on a long
 * array that costs a string per element, so util.inspect, showing no element, rules them out first: it finds them
 * with Node's getOwnNonIndexProperties, which no public API offers, and prints just `[ ... n more items ]` when there
 * are none. Any other text (symbol keys show there too) leads to the exact listing.
 */
export function namedKeys(indexed: { readonly length: number }): string[] | undefined {
  if (
    indexed.length > listedKeysUpTo &&
    showsOnlyElements(inspect(indexed, inspectNoElements), indexed.length)
  )
    return undefined;
  return listedNamedKeys(indexed);
}

/**
 * The first named key of a typed array, or undefined when it has none: namedKeys, but never listing the keys of a
 * long one, whose elements a check does not visit (64 MiB of bytes would be 64 Mi strings). Its name is then read
 * from util.inspect's text, which shows it after the elements.
 */
export function addedViewKey(view: { readonly length: number }): string | undefined {
  if (view.length <= listedKeysUpTo) return listedNamedKeys(view)?.[0];
  const text = inspect(view, inspectNoElements);
  if (showsOnlyElements(text, view.length)) return undefined;
  const shown = text.slice(text.lastIndexOf(' more item')).match(/^ more items?, (.*?): /)?.[1];
  return shown === undefined ? 'one shown by util.inspect' : shown.replace(/^'(.*)'$/, '$1');
}

function listedNamedKeys(indexed: { readonly length: number }): string[] | undefined {
  const keys = Object.keys(indexed);
  const last = keys.length - 1;
  // The common case, an array without holes: its last key is its last index.
  if (last < 0 || (last === indexed.length - 1 && keys[last] === `${last}`)) return undefined;
  let first = keys.length;
  while (first > 0 && !isIndex(keys[first - 1]!)) first--;
  return first === keys.length ? undefined : keys.slice(first);
}

/** Whether a key is an array index: a canonical number from 0 to 2^32 - 2. */
export function isIndex(key: string): boolean {
  const n = Number(key);
  return n >>> 0 === n && n !== 2 ** 32 - 1 && String(n) === key;
}

/**
 * Holes a loop over an array's indices meets before it turns to the indices present (presentIndices), once holes are
 * most of what it met: a sparse array (`a[4e9] = 1`) has a length far past its elements, which V8 writes in its sparse
 * format at the cost of those elements alone.
 */
const holesBeforeSparse = 1024;

/** Whether a loop that met `holes` holes among the first `visited` indices should go on over the present ones only. */
export function turnsSparse(holes: number, visited: number): boolean {
  return holes >= holesBeforeSparse && holes * 2 > visited;
}

/**
 * Whether `test` holds for an element of `array`, trying them in index order (holes skipped) until one passes, at
 * the cost of the elements present (see turnsSparse).
 */
export function someElement(
  array: readonly unknown[],
  test: (item: unknown, index: number) => boolean,
): boolean {
  let holes = 0;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    // Only an undefined item can be a hole: a dense array is not asked for its keys.
    if (item !== undefined || i in array) {
      if (test(item, i)) return true;
    } else if (turnsSparse(++holes, i + 1)) {
      for (const index of presentIndices(array, i + 1)) if (test(array[index], index)) return true;
      return false;
    }
  }
  return false;
}

/**
 * The indices of `array` from `from` on that hold an element, ascending. Object.keys lists them first, ascending, at
 * the cost of the elements present (and of a string each), then the named keys.
 */
export function presentIndices(array: readonly unknown[], from: number): number[] {
  const indices: number[] = [];
  for (const key of Object.keys(array)) {
    if (!isIndex(key)) break;
    const index = Number(key);
    if (index >= from) indices.push(index);
  }
  return indices;
}
