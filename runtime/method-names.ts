// The names a worker's methods are served under: the child announces only these, and the parent takes only these.

/**
 * Names never served even when the class defines them: Object.prototype's (toString, valueOf, ...) because callers and
 * tools probe them, `then` because it would make the proxy look like a promise, and `toJSON` because JSON.stringify
 * would call it remotely (and crash the caller with the rejection nobody awaits).
 */
const reservedNames: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'then',
  'toJSON',
]);

export function isReservedName(name: string): boolean {
  return reservedNames.has(name);
}

/** Whether a method of this name is served: not reserved, and not internal (`_`) or the proxy's own (`$`). */
export function isServedName(name: string): boolean {
  return !isReservedName(name) && !name.startsWith('_') && !name.startsWith('$');
}
